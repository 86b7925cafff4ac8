"""``make bench``: Chorus's performance figures on SQLite and PostgreSQL.

Prints one JSON line per figure on stdout (progress on stderr):

* ``baseline_http_<db>``: a bare Django view doing one INSERT, same server, settings and requests;
* ``voices_http_<db>``: POST /api/v1/voices through ``chorus serve`` (granian WSGI, 2 workers),
  proof of work verified, each request a distinct pre-solved ALTCHA payload and client network;
* ``publish_10m_<db>``: ``snapshot_publish`` over 10 million voices spread over 30 days;
* ``numbers_http_<db>_small|_10m`` and ``badge_http_<db>_small|_10m``: GET /numbers and
  /badge.svg after publishing a small database and the 10-million-voice one.

See docs/benchmarks.md for the method and the latest figures. Usage::

    python -m bench.run [--only NAME[,NAME]] [--duration SECONDS] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import loadgen, machine
from bench.loadgen import forwarded_for
from bench.proc import REPO, WORKERS, Server, base_env, log, server, task

DATABASES = ("sqlite", "postgres")
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "chorus_bench"  # the only database the benchmark creates and drops
# A fixed, valid OPRF key share (a scalar below the group order): the server needs one to
# start in production mode; these benchmarks never evaluate with it.
OPRF_KEY = "07" + "00" * 31
RECORD_SIGNING_KEY = "2a" * 32  # likewise: production mode needs one; nothing is signed here
LARGE_VOICES = 10_000_000
SMALL_VOICES = 20_000
DAYS = 30
PAYLOAD_RATE = 3000  # voices/s the prepared payloads last for, per measurement
READ_PATHS = {"numbers": "/numbers", "badge": "/badge.svg"}

# Targets from the issue; the benchmark reports them, tests never assert them.
TARGETS: dict[str, dict[str, float]] = {
    "voices_http": {"min_rps": 1500, "max_p99_ms": 100, "min_ratio": 0.6},
    "publish_10m": {"max_seconds": 10},
    "numbers_http": {"max_p99_ms": 50},
    "badge_http": {"max_p99_ms": 50},
}


def figure_names() -> list[str]:
    names = []
    for db in DATABASES:
        names += [f"baseline_http_{db}", f"voices_http_{db}"]
        names += [f"numbers_http_{db}_small", f"badge_http_{db}_small", f"publish_10m_{db}"]
        names += [f"numbers_http_{db}_10m", f"badge_http_{db}_10m"]
    return names


@dataclass(frozen=True)
class Options:
    duration: float
    warmup: float
    quick: bool
    selected: frozenset[str]
    write_connections: int
    threads: int | None
    read_connections: int
    workers: int
    large_voices: int
    small_voices: int
    payloads: int
    quiet_limit: float
    patience: float
    retry_above: float
    attempts: int
    workdir: Path
    rounds: int = 1


def _passes(kind: str, fig: dict[str, Any]) -> bool | None:
    target = TARGETS.get(kind)
    if target is None:
        return None
    checks = []
    if "min_rps" in target:
        checks.append(fig["rps"] >= target["min_rps"])
    if "max_p99_ms" in target:
        checks.append(fig["p99_ms"] <= target["max_p99_ms"])
    if "min_ratio" in target:
        checks.append(fig.get("ratio") is not None and fig["ratio"] >= target["min_ratio"])
    if "max_seconds" in target:
        checks.append(fig["seconds"] <= target["max_seconds"])
    return all(checks)


class Report:
    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.lines: list[dict[str, Any]] = []

    def emit(self, name: str, kind: str, fig: dict[str, Any]) -> None:
        if name not in self.opts.selected:
            return
        record: dict[str, Any] = {"figure": name, **fig}
        if kind in TARGETS:
            record["target"] = TARGETS[kind]
            record["pass"] = _passes(kind, fig)
        if self.opts.quick:
            record["quick"] = True
        self.lines.append(record)
        print(json.dumps(record), flush=True)

    def skip(self, name: str, reason: str) -> None:
        record = {"figure": name, "skipped": reason}
        self.lines.append(record)
        print(json.dumps(record), flush=True)


class DatabaseBench:
    """Every figure for one database; each step starts from a freshly created database."""

    def __init__(self, db: str, opts: Options, report: Report, secret: str) -> None:
        self.db = db
        self.opts = opts
        self.report = report
        self.secret = secret
        self.generation = 0
        self.sqlite_path: Path | None = None

    # -- set-up -------------------------------------------------------------------------------

    def env(self, settings: str = "chorus.config.settings") -> dict[str, str]:
        return base_env(
            {
                "CHORUS_ENV": "production",
                "CHORUS_SECRET_KEY": self.secret,
                "CHORUS_OPRF_KEY": OPRF_KEY,
                "CHORUS_RECORD_SIGNING_KEY": RECORD_SIGNING_KEY,
                "CHORUS_ALLOWED_HOSTS": "127.0.0.1",
                "CHORUS_DATABASE_URL": self.database_url(),
                "CHORUS_VAR_DIR": str(self.opts.workdir / "var"),
                # The load generator's X-Forwarded-For is the client address (one proxy hop).
                "CHORUS_TRUSTED_PROXIES": "1",
                # Easy challenges for the load generator to solve in advance: the server's
                # check costs two HMACs whatever the difficulty (chorus.core.pow).
                "CHORUS_POW_COST": "1",
                "CHORUS_POW_MAX_COUNTER": "1",
                "DJANGO_SETTINGS_MODULE": settings,
            }
        )

    def database_url(self) -> str:
        if self.db == "sqlite":
            if self.sqlite_path is None:
                raise RuntimeError("no SQLite database yet: call fresh() first")
            return f"sqlite:///{self.sqlite_path}"
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + POSTGRES_BENCH_DB

    def fresh(self) -> None:
        """A new empty database with every migration applied (Chorus's and the baseline's)."""
        self.generation += 1
        if self.db == "sqlite":
            self.drop_sqlite()
            self.sqlite_path = self.opts.workdir / f"chorus-{self.generation}.sqlite3"
            self.drop_sqlite()  # in case an earlier run left one there
        else:
            postgres_recreate()
        task("migrate", env=self.env("bench.baseline.settings"), timeout=300)

    def drop_sqlite(self) -> None:
        if self.sqlite_path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)

    def count(self, table: str) -> int:
        result = task("count", table, env=self.env(), timeout=120)
        return int(result[table])

    def wants(self, *names: str) -> bool:
        return any(n in self.opts.selected for n in names)

    def run(self) -> None:
        db = self.db
        if self.wants(f"baseline_http_{db}", f"voices_http_{db}"):
            self.fresh()
            self.bench_writes()
        if self.wants(f"numbers_http_{db}_small", f"badge_http_{db}_small"):
            self.seed_and_publish(self.opts.small_voices, attempts=1)
            self.bench_reads("small")
        if self.wants(f"publish_10m_{db}", f"numbers_http_{db}_10m", f"badge_http_{db}_10m"):
            attempts = self.opts.attempts if self.wants(f"publish_10m_{db}") else 1
            published = self.seed_and_publish(self.opts.large_voices, attempts=attempts)
            self.report.emit(f"publish_10m_{db}", "publish_10m", published)
            if self.wants(f"numbers_http_{db}_10m", f"badge_http_{db}_10m"):
                self.bench_reads("10m")
        if db == "sqlite":
            self.drop_sqlite()

    # -- measuring ----------------------------------------------------------------------------

    def measure(
        self, srv: Server, requests: Path, *, expected: int, connections: int
    ) -> tuple[loadgen.Load, dict[str, Any]]:
        quiet = machine.wait_quiet(
            limit=self.opts.quiet_limit, patience=self.opts.patience, log=log
        )
        watch = machine.CpuWatch(srv.pgid)
        load = loadgen.run(
            port=srv.port,
            requests=requests,
            expected=expected,
            seconds=self.opts.duration,
            connections=connections,
        )
        cpu = watch.stop(load.duration_s)
        return load, {"cores": cpu, "other_cores_before": quiet}

    def warm(self, srv: Server, requests: Path, *, expected: int, connections: int) -> None:
        """Run the load briefly. With at least 16 connections (each stays with the worker that
        accepted it) both workers almost surely serve some, and do their first-request work."""
        loadgen.run(
            port=srv.port,
            requests=requests,
            expected=expected,
            seconds=self.opts.warmup,
            connections=max(16, connections),
        )

    def bench_writes(self) -> None:
        """Baseline and voices, measured by turns in ``opts.rounds`` rounds; each figure is the
        round with the median rate (all rounds' rates are in the line): on a shared machine one
        12-second run of the same code ranged from 0.6 to 1.1 times the median."""
        db, opts = self.db, self.opts
        log(f"{db}: preparing {opts.payloads:,} solved proof-of-work payloads")
        all_path = opts.workdir / f"voices-{db}.txt"
        prepared = task(
            "payloads", "--count", str(opts.payloads), "--out", str(all_path),
            env=self.env(), timeout=900,
        )  # fmt: skip
        log(f"{db}: prepared in {prepared['seconds']} s")
        pool = all_path.read_text(encoding="utf-8").splitlines(keepends=True)
        all_path.unlink()
        used = 0  # voices' payloads are single use: each round takes the next unused ones

        baselines: list[dict[str, Any]] = []
        voices: list[dict[str, Any]] = []
        for rnd in range(1, opts.rounds + 1):
            if self.wants(f"baseline_http_{db}"):
                log(f"{db}: baseline (bare Django view, one INSERT), round {rnd}/{opts.rounds}")
                env = self.env("bench.baseline.settings")
                fig, _ = self.write_run(env, "baseline_hit", pool, single_use=False)
                baselines.append(fig)
            if self.wants(f"voices_http_{db}"):
                log(f"{db}: voices (POST /api/v1/voices, proof of work verified), round {rnd}")
                fig, taken = self.write_run(self.env(), "voices", pool[used:], single_use=True)
                used += taken
                voices.append(fig)
        baseline_rps: float | None = None
        if baselines:
            fig = _median_round(baselines)
            baseline_rps = fig["rps"]
            self.report.emit(f"baseline_http_{db}", "baseline_http", fig)
        if voices:
            fig = _median_round(voices)
            fig["baseline_rps"] = baseline_rps
            if len(baselines) == len(voices):
                # Each round's voices against the baseline measured just before them: the ratio
                # is the median of these, which a slow minute in one round does not skew.
                ratios = [v["rps"] / b["rps"] for v, b in zip(voices, baselines, strict=True)]
                fig["rounds_ratio"] = [round(r, 3) for r in ratios]
                fig["ratio"] = round(statistics.median(ratios), 3)
            else:  # voices alone: no baseline rounds to pair them with
                fig["ratio"] = round(fig["rps"] / baseline_rps, 3) if baseline_rps else None
            self.report.emit(f"voices_http_{db}", "voices_http", fig)

    def write_run(
        self, env: dict[str, str], table: str, lines: list[str], *, single_use: bool
    ) -> tuple[dict[str, Any], int]:
        """Warm up, then measure (again if other programs disturbed it); check the counts.

        Requests come from ``lines`` in order: the warm-up's, then each attempt's. With
        ``single_use`` (voices), a new attempt starts after the payloads already sent, and the
        first 64 payloads sent are replayed at the end: all must be refused. Returns the figure
        and how many of ``lines`` were used.
        """
        opts, c = self.opts, self.opts.write_connections
        warm_n = int(PAYLOAD_RATE * opts.warmup)
        warm_path = opts.workdir / f"warm-{self.db}.txt"
        warm_path.write_text("".join(lines[:warm_n]), encoding="utf-8")
        main_lines = lines[warm_n:]
        log_path = opts.workdir / f"server-{self.db}.log"
        with server(env=env, log_path=log_path, workers=opts.workers, threads=opts.threads) as srv:
            self.warm(srv, warm_path, expected=201, connections=c)
            offset = 0
            for attempt in range(1, opts.attempts + 1):
                path = opts.workdir / f"main-{self.db}.txt"
                chunk = main_lines[offset : offset + int(PAYLOAD_RATE * opts.duration)]
                path.write_text("".join(chunk), encoding="utf-8")
                before = self.count(table)
                load, cpu = self.measure(srv, path, expected=201, connections=c)
                counted = self.count(table) - before
                if single_use:
                    offset += load.sent
                    # Another attempt only while unused payloads last a whole measurement.
                    if len(main_lines) - offset < PAYLOAD_RATE * opts.duration:
                        break
                if not self.disturbed(cpu, attempt):
                    break
            fig: dict[str, Any] = {"database": self.db, **load.figures(), **cpu}
            fig["attempts"] = attempt
            fig["counted"] = counted
            fig["counted_matches_ok"] = counted == load.ok
            if single_use and load.wraps:
                # More requests than payloads: replays were sent. Raise PAYLOAD_RATE.
                fig["payloads_exhausted"] = True
            if single_use:
                replay_path = opts.workdir / f"replay-{self.db}.txt"
                replay_path.write_text("".join(main_lines[:64]), encoding="utf-8")
                fig["replays_refused"] = self.replay_check(srv, replay_path, table)
        log(
            f"{self.db}: {table}: {load.rps:,.0f}/s, p50 {load.p50_ms:.1f} ms, "
            f"p99 {load.p99_ms:.1f} ms, {load.errors} errors, counted {counted} of {load.ok}"
        )
        return fig, warm_n + offset

    def disturbed(self, cpu: dict[str, Any], attempt: int, attempts: int | None = None) -> bool:
        """Should the measurement be made again? Yes if other programs used much CPU meanwhile,
        or if one worker did nearly all the work: wrk's connections are kept alive, so they
        stay with the worker that accepted them, and that can be the same worker for all."""
        other = float(cpu["cores"]["other"])
        workers = cpu["cores"].get("server_processes", [])[: self.opts.workers]
        problem = None
        if other > self.opts.retry_above:
            problem = f"other programs used {other:.2f} cores during the measurement"
        elif len(workers) >= 2 and workers[-1] < workers[0] / 3:
            problem = f"the workers did unequal shares ({', '.join(map(str, workers))} cores)"
        if problem is None:
            return False
        if attempt < (self.opts.attempts if attempts is None else attempts):
            log(f"{problem}: measuring again")
            return True
        log(f"{problem}, in the last attempt too: keeping it")
        return False

    def replay_check(self, srv: Server, replay_path: Path, table: str) -> bool:
        """Send already-spent payloads again: each must be refused, counted as an error, and
        add nothing. This checks both the server's single-use proofs and our error counting."""
        before = self.count(table)
        load = loadgen.run(
            port=srv.port, requests=replay_path, expected=201, seconds=1, connections=2
        )
        added = self.count(table) - before
        ok = load.responses > 0 and load.ok == 0 and load.errors == load.responses and added == 0
        if not ok:
            log(f"replay check failed: {load} added={added}")
        return ok

    def seed_and_publish(self, voices: int, *, attempts: int) -> dict[str, Any]:
        """Fresh database, ``voices`` seeded, one timed publish (again, from a new database, if
        other programs were busy meanwhile and ``attempts`` allows)."""
        db = self.db
        for attempt in range(1, attempts + 1):
            self.fresh()
            log(f"{db}: seeding {voices:,} voices over {DAYS} days")
            seeded = task(
                "seed", "--voices", str(voices), "--days", str(DAYS), env=self.env(), timeout=3600
            )
            log(f"{db}: seeded in {seeded['seconds']} s; publishing")
            quiet = machine.wait_quiet(
                limit=self.opts.quiet_limit, patience=self.opts.patience, log=log
            )
            watch = machine.CpuWatch(server_pgid=-1)  # the publisher is our child process
            published = task("publish", env=self.env(), timeout=3600)
            cores = watch.stop(published["seconds"])
            cores = {
                "publisher": cores["loadgen"],
                "database": cores["database"],
                "other": cores["other"],
            }
            log(f"{db}: published {voices:,} voices in {published['seconds']} s")
            if not self.disturbed({"cores": cores}, attempt, attempts):
                break
        return {
            "database": db,
            "seconds": published["seconds"],
            "visible_s": published["visible_s"],
            "voices": voices,
            "days": DAYS,
            "periods": published["periods"],
            "phases_s": published["phases"],
            "remaining_voices": self.count("voices"),
            "seed_s": seeded["seconds"],
            "cores": cores,
            "other_cores_before": quiet,
            "attempts": attempt,
        }

    def bench_reads(self, size: str) -> None:
        db, opts = self.db, self.opts
        c = opts.read_connections
        log_path = opts.workdir / f"server-{db}.log"
        with server(
            env=self.env(), log_path=log_path, workers=opts.workers, threads=opts.threads
        ) as srv:
            for kind, path in READ_PATHS.items():
                name = f"{kind}_http_{db}_{size}"
                if name not in opts.selected:
                    continue
                requests = opts.workdir / f"get-{kind}.txt"
                requests.write_text(
                    "".join(f"GET\t{path}\t{forwarded_for(i)}\t\n" for i in range(4096)),
                    encoding="utf-8",
                )
                self.warm(srv, requests, expected=200, connections=c)
                for attempt in range(1, opts.attempts + 1):
                    load, cpu = self.measure(srv, requests, expected=200, connections=c)
                    if not self.disturbed(cpu, attempt):
                        break
                log(
                    f"{db}: GET {path} ({size}): {load.rps:,.0f}/s, p50 {load.p50_ms:.1f} ms, "
                    f"p99 {load.p99_ms:.1f} ms, {load.errors} errors"
                )
                fig = {"database": db, "size": size, "path": path, **load.figures(), **cpu}
                fig["attempts"] = attempt
                self.report.emit(name, f"{kind}_http", fig)


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median rate (the lower middle one of an even number), with every
    round's rate and p99 added."""
    ranked = sorted(rounds, key=lambda fig: fig["rps"])
    fig = dict(ranked[(len(ranked) - 1) // 2])
    fig["rounds"] = len(rounds)
    fig["rounds_rps"] = [r["rps"] for r in rounds]
    fig["rounds_p99_ms"] = [r["p99_ms"] for r in rounds]
    return fig


def postgres_available() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}"
    return None


def _postgres_drop(cursor: Any) -> None:
    cursor.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_BENCH_DB}" WITH (FORCE)')


def postgres_recreate() -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        _postgres_drop(conn.cursor())
        conn.execute(f'CREATE DATABASE "{POSTGRES_BENCH_DB}"')


def postgres_drop() -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        _postgres_drop(conn.cursor())


def git_describe() -> str | None:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO, capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    p.add_argument(
        "--only",
        default="",
        help="comma-separated figure names or shell patterns (e.g. 'voices_http_*'); "
        "'--only list' prints the names",
    )
    p.add_argument("--duration", type=float, default=None, help="seconds per HTTP figure (12)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 3 s per figure, 200k voices")
    p.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="baseline and voices are measured by turns this often; each figure is the median "
        "round (3, quick 1)",
    )
    p.add_argument("--write-connections", type=int, default=16, help="wrk connections, POST")
    p.add_argument("--read-connections", type=int, default=8, help="wrk connections, GET")
    p.add_argument(
        "--workers", type=int, default=WORKERS, help="granian workers (experiments; figures use 2)"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="request threads per granian worker (experiments; default: chorus serve's choice)",
    )
    p.add_argument("--large-voices", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--quiet-limit",
        type=float,
        default=0.25,
        help="before each measurement wait until other programs use fewer cores than this",
    )
    p.add_argument(
        "--patience", type=float, default=None, help="…but at most this long (s; 60, quick 5)"
    )
    p.add_argument(
        "--retry-above",
        type=float,
        default=0.4,
        help="measure again if other programs used more cores than this during a measurement",
    )
    p.add_argument("--retries", type=int, default=None, help="…at most this often (2, quick 0)")
    p.add_argument("--keep", action="store_true", help="keep the work directory (debugging)")
    return p.parse_args(argv)


def select(only: str) -> frozenset[str]:
    names = figure_names()
    if not only:
        return frozenset(names)
    chosen: set[str] = set()
    for pattern in (x.strip() for x in only.split(",") if x.strip()):
        matched = fnmatch.filter(names, pattern)
        if not matched:
            raise SystemExit(f"--only: no figure matches {pattern!r}; figures: {', '.join(names)}")
        chosen.update(matched)
    return frozenset(chosen)


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into SystemExit so every ``finally`` (server shutdown) runs."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.only == "list":
        print("\n".join(figure_names()))
        return 0
    duration = args.duration if args.duration is not None else (3.0 if args.quick else 12.0)
    warmup = 1.0 if args.quick else 2.0
    rounds = max(1, args.rounds if args.rounds is not None else (1 if args.quick else 3))
    loadgen.wrk_path()  # fail early if wrk is missing
    workdir = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    opts = Options(
        duration=duration,
        warmup=warmup,
        quick=args.quick,
        selected=select(args.only),
        write_connections=args.write_connections,
        threads=args.threads,
        read_connections=args.read_connections,
        workers=args.workers,
        large_voices=args.large_voices or (200_000 if args.quick else LARGE_VOICES),
        small_voices=SMALL_VOICES,
        # Single use: each round's warm-up and measurement at up to 3,000 voices/s, and a retry
        # or two at the rates measured here (a retry needs a whole measurement's worth left).
        payloads=int(PAYLOAD_RATE * (rounds * (warmup + duration) + 2 * duration)),
        rounds=rounds,
        quiet_limit=args.quiet_limit,
        patience=args.patience if args.patience is not None else (5 if args.quick else 60),
        retry_above=args.retry_above,
        attempts=1 + max(0, args.retries if args.retries is not None else (0 if args.quick else 2)),
        workdir=workdir,
    )
    info = machine.describe()
    log(f"machine: {info['nproc']} cores, {info['cpu_model']}; work directory {workdir}")
    if not info["python_pgo"]:
        log(
            f"note: Python {info['python']} here was built without --enable-optimizations "
            "(PGO); an optimised build needs about a fifth less CPU (docs/benchmarks.md)"
        )
    report = Report(opts)
    secret = secrets.token_urlsafe(50)
    postgres_used = False
    started = time.monotonic()
    commit = git_describe()
    try:
        with stopping_on_signals():
            for db in DATABASES:
                names = [n for n in figure_names() if f"_{db}" in n and n in opts.selected]
                if not names:
                    continue
                if db == "postgres":
                    reason = postgres_available()
                    if reason is not None:
                        log(reason)
                        for n in names:
                            report.skip(n, reason)
                        continue
                    postgres_used = True
                DatabaseBench(db, opts, report, secret).run()
    finally:
        if postgres_used:
            with contextlib.suppress(Exception):
                postgres_drop()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if git_describe() != commit:
        log(f"warning: the source changed during the run (from {commit} to {git_describe()})")
        commit = f"{commit} .. {git_describe()}"
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    record = {
        "machine": info,
        "commit": commit,
        "finished_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "duration_s": duration,
        "quick": args.quick,
        "write_connections": opts.write_connections,
        "threads": opts.threads,
        "read_connections": opts.read_connections,
        "figures": report.lines,
    }
    (out / "last-run.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    log(f"done in {time.monotonic() - started:.0f} s; figures also in bench/out/last-run.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
