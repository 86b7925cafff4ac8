"""CPU per voice on PostgreSQL, for comparing two versions of the code on a busy machine.

Throughput on a shared machine says little; the CPU time that the server's processes and the
PostgreSQL backends serving ``chorus_bench`` spend per counted voice says more, and it does not
depend on how busy other programs keep the cores. Each round measures every variant one after
the other (fresh database, fresh server, same request file shape), so that the variants see
the same minute's conditions::

    python -m bench.voicecpu --rounds 3 --duration 8 --variant old=/path/to/old/src

``--variant NAME=SRC`` puts SRC first on the server's PYTHONPATH (e.g. an unpacked
``git archive`` of an earlier commit); the current tree is always measured as ``current``.
Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench import loadgen
from bench.machine import TICKS, _cpu_ticks, _process_ticks
from bench.proc import log, server, task
from bench.run import (
    PAYLOAD_RATE,
    POSTGRES_ADMIN_URL,
    POSTGRES_BENCH_DB,
    DatabaseBench,
    Options,
    Report,
    postgres_drop,
)


def _admin_query(sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql, [POSTGRES_BENCH_DB]).fetchall()


def backend_pids() -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (not other databases')."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    return [int(row[0]) for row in _admin_query(sql)]


def deadlocks() -> int:
    return int(_admin_query("SELECT deadlocks FROM pg_stat_database WHERE datname = %s")[0][0])


def _ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def measure(
    bench: DatabaseBench, env: dict[str, str], lines: list[str], opts: Options
) -> dict[str, Any]:
    warm_path = opts.workdir / "warm.txt"
    main_path = opts.workdir / "main.txt"
    warm_n = int(PAYLOAD_RATE * opts.warmup)
    warm_path.write_text("".join(lines[:warm_n]), encoding="utf-8")
    main_path.write_text("".join(lines[warm_n:]), encoding="utf-8")
    with server(
        env=env, log_path=opts.workdir / "server.log", workers=opts.workers, threads=opts.threads
    ) as srv:
        bench.warm(srv, warm_path, expected=201, connections=opts.write_connections)
        before = bench.count("voices")
        pids = backend_pids()
        server0 = sum(t for owner, t in _process_ticks(srv.pgid).values() if owner == "server")
        db0 = sum(_ticks(p) for p in pids)
        busy0, _steal = _cpu_ticks()
        t0 = time.monotonic()
        load = loadgen.run(
            port=srv.port,
            requests=main_path,
            expected=201,
            seconds=opts.duration,
            connections=opts.write_connections,
        )
        window = time.monotonic() - t0
        server1 = sum(t for owner, t in _process_ticks(srv.pgid).values() if owner == "server")
        db1 = sum(_ticks(p) for p in pids)
        busy1, _steal = _cpu_ticks()
        counted = bench.count("voices") - before
        deadlocked = deadlocks()
    ms = 1000 / TICKS
    server_ms = (server1 - server0) * ms
    db_ms = (db1 - db0) * ms
    other = ((busy1 - busy0) - (server1 - server0) - (db1 - db0)) / (window * TICKS)
    return {
        "rps": load.rps,
        "p99_ms": load.p99_ms,
        "ok": load.ok,
        "errors": load.errors,
        "counted_matches_ok": counted == load.ok,
        "server_us_per_voice": round(1000 * server_ms / max(load.ok, 1)),
        "db_us_per_voice": round(1000 * db_ms / max(load.ok, 1)),
        "total_us_per_voice": round(1000 * (server_ms + db_ms) / max(load.ok, 1)),
        "db_backends": len(pids),
        "deadlocks": deadlocked,
        "other_cores": round(other, 2),
    }


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.voicecpu")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=8.0)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--variant", action="append", default=[], help="NAME=SRC (repeatable)")
    args = p.parse_args()
    variants: list[tuple[str, str | None]] = [("current", None)]
    for v in args.variant:
        name, src = v.split("=", 1)
        variants.append((name, src))
    workdir = Path(tempfile.mkdtemp(prefix="chorus-voicecpu-"))
    opts = Options(
        duration=args.duration,
        warmup=2.0,
        quick=False,
        selected=frozenset(),
        write_connections=args.connections,
        threads=args.threads,
        read_connections=4,
        workers=2,
        large_voices=0,
        small_voices=0,
        payloads=int(PAYLOAD_RATE * (2.0 + args.duration)),
        quiet_limit=0.25,
        patience=0,
        retry_above=9,
        attempts=1,
        workdir=workdir,
    )
    secret = secrets.token_urlsafe(50)
    try:
        for rnd in range(1, args.rounds + 1):
            for name, src in variants:
                bench = DatabaseBench("postgres", opts, Report(opts), secret)
                env = bench.env()
                if src is not None:
                    env["PYTHONPATH"] = os.pathsep.join([src, env["PYTHONPATH"]])
                bench.fresh()
                out = workdir / "payloads.txt"
                task("payloads", "--count", str(opts.payloads), "--out", str(out), env=env,
                     timeout=900)  # fmt: skip
                lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
                fig = {"round": rnd, "variant": name, "threads": args.threads,
                       **measure(bench, env, lines, opts)}  # fmt: skip
                log(f"{name}: {fig}")
                print(json.dumps(fig), flush=True)
    finally:
        postgres_drop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
