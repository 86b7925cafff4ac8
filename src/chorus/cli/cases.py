"""`chorus cases-expire`: erase closed cases whose retention period has ended (reports.md §9)."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_cases_expire(args: argparse.Namespace, *, django_setup: Any) -> int:
    django_setup()
    from django.conf import settings

    from chorus.reports.retention import cases_expire

    erased = cases_expire()
    days = settings.CONFIG.case_retention_days
    print(f"Erased {erased} closed case(s) older than {days} days after closing.")
    return 0


def register(sub: Any, *, django_setup: Any) -> None:
    e = sub.add_parser(
        "cases-expire",
        help="erase closed cases whose retention period has ended (run daily from cron)",
    )
    e.set_defaults(func=lambda args: cmd_cases_expire(args, django_setup=django_setup))
