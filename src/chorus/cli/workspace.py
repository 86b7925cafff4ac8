"""Operator commands for the workspace: add an advocate or an operator, verify the audit log."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_advocate_add(args: argparse.Namespace, *, operator: bool = False) -> int:
    from django.urls import reverse

    from chorus.staff import services
    from chorus.staff.errors import StaffError
    from chorus.staff.services import ENROLMENT_LIFETIME

    try:
        _user, token = services.staff_enrolment_issue(username=args.username, operator=operator)
    except StaffError as exc:
        print(f"chorus: {exc.message}", file=sys.stderr)
        return 1
    path = reverse("workspace:enrol", kwargs={"token": token})
    hours = int(ENROLMENT_LIFETIME.total_seconds() // 3600)
    print(f"Enrolment link for {args.username.strip()} (works once, for {hours} hours):")
    print(f"{args.site.rstrip('/')}{path}")
    return 0


def cmd_operator_add(args: argparse.Namespace) -> int:
    """An operator registers organisations on /workspace/operator/ (as `chorus org-add` does)."""
    return cmd_advocate_add(args, operator=True)


def cmd_advocate_remove(args: argparse.Namespace) -> int:
    from django.db import transaction

    from chorus.escrow.advocates import advocate_keys_retire
    from chorus.staff import services
    from chorus.staff.errors import StaffError

    try:
        # Both or neither: a deactivated advocate's key must not go on receiving envelopes.
        with transaction.atomic():
            user_id = services.staff_deactivate(username=args.username)
            retired = advocate_keys_retire(advocate_id=user_id)
    except StaffError as exc:
        print(f"chorus: {exc.message}", file=sys.stderr)
        return 1
    print(
        f"{args.username.strip()} can no longer sign in; {retired} key(s) retired: new entries "
        "are no longer sealed to them."
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from chorus.core.audit import audit_verify
    from chorus.core.models import AuditEntry

    broken = audit_verify()
    if broken is None:
        print(f"Audit log intact: {AuditEntry.objects.count()} entries.")
        return 0
    print(
        f"Audit log BROKEN at entry {broken.pk} ({broken.action}): it, or an entry before it, "
        "was changed or removed.",
        file=sys.stderr,
    )
    return 1


def register(sub: Any, *, django_setup: Any) -> None:
    """Add the workspace commands to the `chorus` parser; each sets Django up when it runs."""

    def lazy(func: Any) -> Any:
        def run(args: argparse.Namespace) -> int:
            django_setup()
            return int(func(args))

        return run

    a = sub.add_parser("advocate-add", help="add an advocate and print their enrolment link")
    a.add_argument("username")
    a.add_argument(
        "--site", default="http://127.0.0.1:8000", help="the site's address, for the link"
    )
    a.set_defaults(func=lazy(cmd_advocate_add))
    o = sub.add_parser(
        "operator-add",
        help="add an operator (registers organisations on a page) and print their enrolment link",
    )
    o.add_argument("username")
    o.add_argument(
        "--site", default="http://127.0.0.1:8000", help="the site's address, for the link"
    )
    o.set_defaults(func=lazy(cmd_operator_add))
    r = sub.add_parser("advocate-remove", help="stop an advocate signing in and retire their key")
    r.add_argument("username")
    r.set_defaults(func=lazy(cmd_advocate_remove))
    v = sub.add_parser("audit-verify", help="check the audit log's hash chain")
    v.set_defaults(func=lazy(cmd_audit_verify))
