"""Database-side steps of the benchmark, each run as ``python -m bench.tasks TASK ...``.

Each task runs in its own process with exactly the environment the server gets (database URL,
secret, proof-of-work settings), so it sees the same settings as the server it prepares for. It
prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

import django


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.tasks")
    sub = p.add_subparsers(dest="task", required=True)
    sub.add_parser("migrate", help="apply Chorus's and the baseline's migrations")
    c = sub.add_parser("count", help="count the rows of some tables")
    c.add_argument("tables", nargs="+")
    pl = sub.add_parser("payloads", help="write a request file of solved proof-of-work payloads")
    pl.add_argument("--count", type=int, required=True)
    pl.add_argument("--out", required=True)
    pl.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    s = sub.add_parser("seed", help="add many realistic voices fast, with raw SQL")
    s.add_argument("--voices", type=int, required=True)
    s.add_argument("--days", type=int, default=30)
    sub.add_parser("publish", help="time snapshot_publish")
    return p


def main() -> int:
    args = parser().parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")
    django.setup()
    dbwork = importlib.import_module("bench.dbwork")  # needs the app registry: after setup()
    result = dbwork.TASKS[args.task](args)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
