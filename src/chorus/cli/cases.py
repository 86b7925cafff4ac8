"""Operator commands for cases (reports.md §9): `chorus cases-expire` erases closed cases whose
retention period has ended (and forgets supporter invitations that expired unused, §8);
`chorus member-email` sets where a member's notifications go."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_cases_expire(args: argparse.Namespace, *, django_setup: Any) -> int:
    django_setup()
    from django.conf import settings

    from chorus.reports.retention import cases_expire
    from chorus.reports.support import invitations_expire

    erased = cases_expire()
    days = settings.CONFIG.case_retention_days
    print(f"Erased {erased} closed case(s) older than {days} days after closing.")
    forgotten = invitations_expire()
    print(f"Forgot {forgotten} supporter invitation(s) that expired unused.")
    return 0


def cmd_member_email(args: argparse.Namespace, *, django_setup: Any) -> int:
    django_setup()
    from chorus.reports.errors import ReportError
    from chorus.reports.notifications import member_email_set

    try:
        member_email_set(username=args.username, email=args.email)
    except ReportError as exc:
        print(f"chorus: {exc.message}", file=sys.stderr)
        return 1
    if args.email.strip():
        print(f"{args.username.strip()} will be told when something changes in their cases.")
    else:
        print(f"{args.username.strip()} will receive no notifications.")
    return 0


def register(sub: Any, *, django_setup: Any) -> None:
    e = sub.add_parser(
        "cases-expire",
        help="erase closed cases whose retention period has ended (run daily from cron)",
    )
    e.set_defaults(func=lambda args: cmd_cases_expire(args, django_setup=django_setup))
    m = sub.add_parser(
        "member-email",
        help="set where an organisation member's 'something changed' mails go (empty: none)",
    )
    m.add_argument("username", help="the member's workspace username")
    m.add_argument("email", nargs="?", default="", help="the address; leave out to clear it")
    m.set_defaults(func=lambda args: cmd_member_email(args, django_setup=django_setup))
