"""Operator command for the escrow: the periodic matching job (run from cron)."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_match(args: argparse.Namespace) -> int:
    from chorus.escrow import services

    result = services.matching_run()
    # Counts only: no index, no account, nothing that says who named whom.
    print(
        f"Checked {result.entries_checked} new entries: {result.matches_found} new matches, "
        f"{result.entries_matched} entries joined a match."
    )
    return 0


def register(sub: Any, *, django_setup: Any) -> None:
    """Add the escrow commands to the `chorus` parser; each sets Django up when it runs."""

    def run(args: argparse.Namespace) -> int:
        django_setup()
        return cmd_match(args)

    m = sub.add_parser("match", help="find escrow matches and tell advocates (run from cron)")
    m.set_defaults(func=run)
