"""Database-side steps of the benchmark, each run as ``python -m bench.tasks TASK ...``.

Each task runs in its own process with exactly the environment the server gets (database URL,
secret, proof-of-work settings), so it sees the same settings as the server it prepares for. It
prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")
    import django

    django.setup()


def _say(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


def task_migrate(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return {"migrated": True}


def task_count(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in args.tables:
            if table not in ("counts_voice", "baseline_hit", "core_spentproof", "counts_snapshot"):
                raise SystemExit(f"unknown table {table}")
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (fixed names above)
            counts[table] = cursor.fetchone()[0]
    return counts


# -- payloads ---------------------------------------------------------------------------------


def _solve_chunk(bounds: tuple[int, int]) -> list[str]:
    """Issue and solve challenges [start, stop) with the server's secret; one request line each."""
    import altcha

    from chorus.cli import demo
    from chorus.core import pow
    from chorus.counts.facets import NOT_SAID

    start, stop = bounds
    now = datetime.now(tz=UTC)
    # Realistic facts (the demo generator's proportions); the times it yields are not used.
    facts = demo.voices(count=stop - start, start=now - timedelta(days=30), end=now)
    lines = []
    for i, (_when, fact) in zip(range(start, stop), facts, strict=True):
        parsed = altcha.Challenge.from_dict(pow.challenge_issue())
        solution = altcha.solve_challenge(parsed, timeout=30)
        if solution is None:
            raise RuntimeError("a bench challenge could not be solved: is CHORUS_POW_COST small?")
        body: dict[str, str] = {"altcha": altcha.Payload(parsed, solution).to_base64()}
        for name in ("country", "setting", "form", "sector", "decade"):
            value = getattr(fact, name)
            if value != NOT_SAID:
                body[name] = value
        lines.append(f"POST\t/api/v1/voices\t{forwarded_for(i)}\t{json.dumps(body)}\n")
    return lines


def forwarded_for(i: int, networks: int = 4096) -> str:
    """A client address in one of ``networks`` distinct /24 networks, request i's network."""
    n = i % networks
    return f"10.{n // 256 % 256}.{n % 256}.{1 + (i // networks) % 250}"


def task_payloads(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    step = 2000
    chunks = [(a, min(a + step, args.count)) for a in range(0, args.count, step)]
    # Fork after django.setup(): every worker already has the settings and the secret.
    with multiprocessing.get_context("fork").Pool(args.processes) as pool:
        parts = pool.map(_solve_chunk, chunks)
    with open(args.out, "w", encoding="utf-8") as out:
        for part in parts:
            out.writelines(part)
    return {"payloads": args.count, "seconds": round(time.perf_counter() - started, 2)}


# -- seeding ----------------------------------------------------------------------------------

SAMPLE_ROWS = 100_000


def _sample(rows: int, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """``rows`` realistic voices (demo proportions and wave shape), sorted by period."""
    from django.db import connection

    from chorus.cli import demo
    from chorus.counts import periods

    out = []
    for when, f in demo.voices(count=rows, start=start, end=end):
        period = periods.period_start(when, started=start)
        out.append((period, f.country, f.setting, f.form, f.sector, f.decade))
    out.sort(key=lambda r: r[0])
    adapt = connection.ops.adapt_datetimefield_value
    return [(k, adapt(r[0]), *r[1:]) for k, r in enumerate(out)]


def task_seed(args: argparse.Namespace) -> dict[str, Any]:
    """Add ``--voices`` voices over ``--days`` days ending yesterday, fast, with raw SQL.

    A sample of up to 100k realistic voices (sorted by period) is written to a temporary
    table, then copied ``voices / sample`` times by INSERT ... SELECT (a recursive CTE on
    SQLite, generate_series on PostgreSQL), in period order, as live traffic would have added
    them. The activity start is set as the first voice's hour.
    """
    from django.db import connection, transaction

    from chorus.counts import periods
    from chorus.counts.models import Activity

    started_at = time.perf_counter()
    end = periods.floor_day(datetime.now(tz=UTC)) - timedelta(days=1)
    start = end - timedelta(days=args.days)
    sample_rows = min(SAMPLE_ROWS, args.voices)
    if args.voices % sample_rows:
        raise SystemExit(f"--voices must be a multiple of {sample_rows}")
    copies = args.voices // sample_rows
    sample = _sample(sample_rows, start, end)
    Activity.objects.update_or_create(singleton=1, defaults={"started": periods.floor_hour(start)})
    vendor = connection.vendor
    columns = "period, country, setting, form, sector, decade"
    # One transaction per ~1M rows keeps the SQLite WAL (and PostgreSQL's) to a sane size.
    per_chunk = max(1, 1_000_000 // copies)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")  # seeding only; the server uses NORMAL
            cursor.execute(
                "CREATE TEMP TABLE seed_sample (k INTEGER PRIMARY KEY, period TEXT, country TEXT,"
                " setting TEXT, form TEXT, sector TEXT, decade TEXT)"
            )
            insert = (
                "WITH RECURSIVE copies(c) AS (SELECT 1 UNION ALL SELECT c + 1 FROM copies "
                f"WHERE c < {copies:d}) INSERT INTO counts_voice ({columns}) "
                f"SELECT s.period, s.country, s.setting, s.form, s.sector, s.decade "
                "FROM seed_sample AS s CROSS JOIN copies WHERE s.k >= %s AND s.k < %s "
                "ORDER BY s.k"
            )  # noqa: S608  (integers formatted above, values bound)
        else:
            cursor.execute("SET synchronous_commit = off")  # seeding only
            cursor.execute(
                "CREATE TEMP TABLE seed_sample (k integer PRIMARY KEY, period timestamptz, "
                "country varchar(2), setting varchar(16), form varchar(16), sector varchar(1), "
                "decade varchar(8))"
            )
            insert = (
                f"INSERT INTO counts_voice ({columns}) "
                "SELECT s.period, s.country, s.setting, s.form, s.sector, s.decade "
                f"FROM seed_sample AS s CROSS JOIN generate_series(1, {copies:d}) AS g "
                "WHERE s.k >= %s AND s.k < %s ORDER BY s.k"
            )  # noqa: S608
        cursor.executemany(
            "INSERT INTO seed_sample (k, period, country, setting, form, sector, decade) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            sample,
        )
        for low in range(0, sample_rows, per_chunk):
            with transaction.atomic():
                cursor.execute(insert, [low, low + per_chunk])
            done = min(low + per_chunk, sample_rows) * copies
            _say(f"seeded {done:,} of {args.voices:,} voices")
        cursor.execute("DROP TABLE seed_sample")
        if vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # A live table would have been vacuumed and analysed by autovacuum long ago.
            cursor.execute("VACUUM (ANALYZE) counts_voice")
    return {
        "voices": args.voices,
        "days": args.days,
        "start": start.isoformat(),
        "seconds": round(time.perf_counter() - started_at, 1),
    }


def task_publish(args: argparse.Namespace) -> dict[str, Any]:
    """Time ``snapshot_publish`` (counting, noise, tables, erasing the released voices)."""
    from chorus.counts import services

    phases: list[tuple[str, float]] = []
    t0 = time.perf_counter()

    def progress(message: str) -> None:
        phases.append((message, time.perf_counter()))
        _say(message)

    snapshot = services.snapshot_publish(now=datetime.now(tz=UTC), progress=progress)
    t1 = time.perf_counter()
    if snapshot is None:
        raise SystemExit("nothing was published")
    marks = [*phases, ("end", t1)]
    return {
        "seconds": round(t1 - t0, 3),
        "snapshot": snapshot.pk,
        "periods": len(snapshot.published["wave"]),
        "phases": {
            name: round(marks[i + 1][1] - at, 3) for i, (name, at) in enumerate(marks[:-1])
        },
        "total_value": snapshot.published["total"]["value"],
    }


TASKS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "migrate": task_migrate,
    "count": task_count,
    "payloads": task_payloads,
    "seed": task_seed,
    "publish": task_publish,
}


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.tasks")
    sub = p.add_subparsers(dest="task", required=True)
    sub.add_parser("migrate")
    c = sub.add_parser("count")
    c.add_argument("tables", nargs="+")
    pl = sub.add_parser("payloads")
    pl.add_argument("--count", type=int, required=True)
    pl.add_argument("--out", required=True)
    pl.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    s = sub.add_parser("seed")
    s.add_argument("--voices", type=int, required=True)
    s.add_argument("--days", type=int, default=30)
    sub.add_parser("publish")
    args = p.parse_args()
    _django()
    result = TASKS[args.task](args)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
