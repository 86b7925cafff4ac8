"""The database-side steps of the benchmark (imported by ``bench.tasks`` after Django is set up)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import post_save

from bench.loadgen import forwarded_for
from chorus.cli import demo
from chorus.core import pow
from chorus.counts import periods, services
from chorus.counts.facets import FACETS, NOT_SAID
from chorus.counts.models import Activity, Snapshot, Tally

FACET_NAMES = tuple(facet.name for facet in FACETS)


def _say(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


def task_migrate(args: argparse.Namespace) -> dict[str, Any]:
    call_command("migrate", interactive=False, verbosity=0)
    return {"migrated": True}


def task_count(args: argparse.Namespace) -> dict[str, Any]:
    """Rows of a table; for "voices", the unreleased voices (the sum of the period totals)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in args.tables:
            if table == "voices":
                cursor.execute("SELECT COALESCE(SUM(n), 0) FROM counts_tally WHERE facet = 'total'")
            elif table in ("counts_tally", "baseline_hit", "core_spentproof", "counts_snapshot"):
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (fixed names above)
            else:
                raise SystemExit(f"unknown table {table}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


# -- payloads ---------------------------------------------------------------------------------


def _solve_chunk(bounds: tuple[int, int]) -> list[str]:
    """Issue and solve challenges [start, stop) with the server's secret; one request line each."""
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


def task_seed(args: argparse.Namespace) -> dict[str, Any]:
    """Add ``--voices`` voices over ``--days`` days ending yesterday: the tallies they make.

    A sample of up to 100k realistic voices (demo proportions and wave shape) is drawn and each
    counted ``voices / sample`` times, as ``voice_add`` would have counted that many voices.
    Live traffic spreads each counter over ``Tally.SHARDS`` rows; so does the seed (the worst
    case for publishing: the most rows). The activity start is the first voice's hour.
    """
    started_at = time.perf_counter()
    end = periods.floor_day(datetime.now(tz=UTC)) - timedelta(days=1)
    start = end - timedelta(days=args.days)
    sample_rows = min(SAMPLE_ROWS, args.voices)
    if args.voices % sample_rows:
        raise SystemExit(f"--voices must be a multiple of {sample_rows}")
    copies = args.voices // sample_rows
    counts: Counter[tuple[datetime, str, str]] = Counter()
    for when, f in demo.voices(count=sample_rows, start=start, end=end):
        period = periods.period_start(when, started=start)
        counts[period, Tally.TOTAL, NOT_SAID] += copies
        for name in FACET_NAMES:
            counts[period, name, getattr(f, name)] += copies
    Activity.objects.update_or_create(singleton=1, defaults={"started": periods.floor_hour(start)})
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for (period, facet, code), n in counts.items():
        shards = min(n, Tally.SHARDS)
        for shard in range(shards):
            share = n // shards + (1 if shard < n % shards else 0)
            rows.append((adapt(period), facet, code, shard, share))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO counts_tally (period, facet, code, shard, n) VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
    _say(f"seeded {args.voices:,} voices as {len(rows):,} tally rows")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # A live table would have been vacuumed and analysed by autovacuum long ago.
            cursor.execute("VACUUM (ANALYZE) counts_tally")
    return {
        "voices": args.voices,
        "tally_rows": len(rows),
        "days": args.days,
        "start": start.isoformat(),
        "seconds": round(time.perf_counter() - started_at, 1),
    }


def task_publish(args: argparse.Namespace) -> dict[str, Any]:
    """Time ``snapshot_publish`` (counting, noise, tables, erasing the released voices).

    Besides the total, reports when the new snapshot was committed (the moment the public
    numbers change) and the time between progress messages, summed per kind of message.
    """
    phases: dict[str, float] = {}
    committed: list[float] = []
    current, since, said = "start", time.perf_counter(), 0.0

    def progress(message: str) -> None:
        nonlocal current, since, said
        now = time.perf_counter()
        phases[current] = phases.get(current, 0.0) + now - since
        # "erased 40,000 released voices" and its like are one phase
        current, since = re.sub(r"\d[\d,]*", "N", message), now
        if now - said > 2:
            _say(message)
            said = now

    def on_snapshot_saved(**_kwargs: Any) -> None:
        transaction.on_commit(lambda: committed.append(time.perf_counter()))

    post_save.connect(on_snapshot_saved, sender=Snapshot, weak=False)
    t0 = since = time.perf_counter()
    snapshot = services.snapshot_publish(now=datetime.now(tz=UTC), progress=progress)
    t1 = time.perf_counter()
    progress("end")
    if snapshot is None:
        raise SystemExit("nothing was published")
    return {
        "seconds": round(t1 - t0, 3),
        "visible_s": round(committed[0] - t0, 3) if committed else None,
        "snapshot": snapshot.pk,
        "periods": len(snapshot.published["wave"]),
        "phases": {name: round(v, 3) for name, v in phases.items()},
        "total_value": snapshot.published["total"]["value"],
    }


TASKS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "migrate": task_migrate,
    "count": task_count,
    "payloads": task_payloads,
    "seed": task_seed,
    "publish": task_publish,
}
