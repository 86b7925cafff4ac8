"""Operator commands for organisations: register one with its first admin."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_org_add(args: argparse.Namespace) -> int:
    from django.core.mail import send_mail
    from django.urls import reverse

    from chorus.core.errors import ChorusError
    from chorus.orgs import services
    from chorus.staff import services as staff_services
    from chorus.staff.services import ENROLMENT_LIFETIME

    def issue(username: str) -> tuple[int, str]:
        user, token = staff_services.staff_enrolment_issue(username=username)
        return int(user.pk), token

    try:
        organisation, admin, token = services.organisation_add(
            name=args.name,
            slug=args.slug,
            admin_username=args.admin,
            admin_display_name=args.display_name or "",
            issue_enrolment=issue,
        )
    except ChorusError as exc:
        print(f"chorus: {exc.message}", file=sys.stderr)
        return 1
    link = f"{args.site.rstrip('/')}{reverse('workspace:org_enrol', kwargs={'token': token})}"
    hours = int(ENROLMENT_LIFETIME.total_seconds() // 3600)
    print(f"Registered {organisation.name} at /workspace/orgs/{organisation.slug}/.")
    print(f"Enrolment link for its admin {args.admin.strip()} (works once, for {hours} hours):")
    print(link)
    if args.email:
        # The address is used once, to send the link, and stored nowhere.
        send_mail(
            subject="Your Chorus workspace enrolment link",
            message=(
                f"You are the admin of {organisation.name} on Chorus. Enrol here "
                f"(the link works once, for {hours} hours):\n\n{link}\n"
            ),
            from_email=None,
            recipient_list=[args.email],
        )
        print("The link was also sent by email.")
    del admin
    return 0


def register(sub: Any, *, django_setup: Any) -> None:
    """Add the organisation commands to the `chorus` parser."""

    def lazy(func: Any) -> Any:
        def run(args: argparse.Namespace) -> int:
            django_setup()
            return int(func(args))

        return run

    a = sub.add_parser(
        "org-add", help="register an organisation and print its first admin's enrolment link"
    )
    a.add_argument("name", help="the organisation's name, as reporters will see it")
    a.add_argument("--admin", required=True, help="the first admin's username")
    a.add_argument("--display-name", help="the admin's name as reporters see it")
    a.add_argument("--slug", default="", help="its address part (default: made from the name)")
    a.add_argument("--email", help="also send the link to this address (it is not stored)")
    a.add_argument(
        "--site", default="http://127.0.0.1:8000", help="the site's address, for the link"
    )
    a.set_defaults(func=lazy(cmd_org_add))
