"""Operator command for reports "together": the periodic matching job (run from cron)."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_together_match(args: argparse.Namespace) -> int:
    from chorus.together import services

    result = services.together_match_run()
    # Counts only: no index, no organisation, nothing that says who named whom.
    print(
        f"Checked {result.entries_checked} new together reports: {result.groups_found} new "
        f"groups, {result.cases_released} reports released."
    )
    return 0


def register(sub: Any, *, django_setup: Any) -> None:
    """Add `chorus together-match` to the parser; it sets Django up when it runs."""

    def run(args: argparse.Namespace) -> int:
        django_setup()
        return cmd_together_match(args)

    m = sub.add_parser(
        "together-match",
        help="release reports sent together once enough people named the same person (cron)",
    )
    m.set_defaults(func=run)
