"""Escrow figures for ``make bench``: the matching job and the cost of one new entry.

Usage: ``python -m bench.escrow [--entries N] [--database-url URL]``. One JSON line per figure.

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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chorus-bench-escrow-") as tmp:
        _setup(args.database_url, Path(tmp))
        from bench import escrow_db  # noqa: PLC0415 - needs Django set up

        escrow_db.run(entries=args.entries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
