"""Escrow figures for ``make bench``: the matching job and the cost of one new entry.

Usage: ``python -m bench.escrow [--entries N] [--database-url URL | --no-postgres]``. One JSON
line per figure. Without options: SQLite, then PostgreSQL on a database it creates and drops
(``chorus_bench_escrow``) when a server answers at 127.0.0.1:5432.

A fresh database (SQLite in a temporary directory unless ``--database-url`` names an empty
PostgreSQL database) gets fake entries inserted in bulk: random 32-byte indexes, about 1 % of
them shared by two accounts so the job finds matches, one small sealed blob per entry. Figures:

- ``escrow_new_entry`` at 1,000 and at N stored entries: the median time to submit one entry
  through ``entry_submit`` and run the matching job for it (the index lookup is through the
  ``(index)`` database index; the target is within 1.5x between the two sizes);
- ``escrow_matching_job``: ``matching_run`` over all N entries at once, pending;
- ``escrow_trial_decryption_reference``: what escrow code that opens every stored envelope for
  each new entry (no index) would spend: one HPKE open in Python, measured, times the stored
  entries.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _setup(database_url: str | None, var_dir: Path) -> None:
    os.environ["CHORUS_ENV"] = "dev"
    os.environ["CHORUS_VAR_DIR"] = str(var_dir)
    os.environ.pop("CHORUS_ESCROW_THRESHOLD", None)
    if database_url:
        os.environ["CHORUS_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CHORUS_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "chorus.config.settings"
    import django  # noqa: PLC0415 - after the environment above is in place

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)


POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "chorus_bench_escrow"  # the only database this benchmark creates and drops


def _postgres_run(entries: int) -> None:
    """Run the same figures on a fresh PostgreSQL database, in a child process (Django's
    settings are per process), when a server answers; say so on stderr when none does."""
    import psycopg  # noqa: PLC0415

    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        print("  · no PostgreSQL at 127.0.0.1:5432: escrow figures on SQLite only", file=sys.stderr)
        return
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB}")
        admin.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
        try:
            url = f"postgres://postgres@127.0.0.1:5432/{POSTGRES_BENCH_DB}"
            subprocess.run(
                [sys.executable, "-m", "bench.escrow", "--entries", str(entries),
                 "--database-url", url],
                check=True,
            )  # fmt: skip
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    p.add_argument(
        "--no-postgres", action="store_true", help="SQLite only (by default both, if PG answers)"
    )
    args = p.parse_args(argv)
    if args.database_url is None and not args.no_postgres:
        subprocess.run(
            [sys.executable, "-m", "bench.escrow", "--entries", str(args.entries), "--no-postgres"],
            check=True,
        )
        _postgres_run(args.entries)
        return 0
    with tempfile.TemporaryDirectory(prefix="chorus-bench-escrow-") as tmp:
        _setup(args.database_url, Path(tmp))
        from bench import escrow_db  # noqa: PLC0415 - needs Django set up

        escrow_db.run(entries=args.entries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
