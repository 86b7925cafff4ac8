"""Organisations, their members and keys for the tests (HTTP, access matrix and browser)."""

from __future__ import annotations

from dataclasses import dataclass

from chorus.crypto import passphrase, seal
from chorus.orgs import services
from chorus.orgs.models import HandlerKey, Membership, Organisation
from chorus.staff import services as staff_services
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.workspace.helpers import PASSPHRASE, PASSWORD, code_for


def issue(username: str) -> tuple[int, str]:
    user, token = staff_services.staff_enrolment_issue(username=username)
    return int(user.pk), token


def enrol(token: str) -> StaffMember:
    """Both enrolment steps through the staff services, as the pages run them."""
    staff = staff_services.staff_enrolment_password(token=token, password=PASSWORD)
    staff_services.staff_totp_confirm(
        user_id=staff.user_id, code=code_for(staff_totp_secret(staff=staff))
    )
    return StaffMember.objects.select_related("user").get(pk=staff.pk)


@dataclass
class Org:
    organisation: Organisation
    admin: Membership
    admin_staff: StaffMember
    handler: Membership
    handler_staff: StaffMember


def org_with_staff(name: str, *, prefix: str) -> Org:
    """An organisation with an enrolled admin and an enrolled handler."""
    organisation, admin, token = services.organisation_add(
        name=name, admin_username=f"{prefix}-admin", issue_enrolment=issue
    )
    admin_staff = enrol(token)
    handler, token = services.member_invite(
        admin=admin,
        username=f"{prefix}-handler",
        display_name=f"{name} handler",
        issue_enrolment=issue,
    )
    handler_staff = enrol(token)
    return Org(organisation, admin, admin_staff, handler, handler_staff)


def key_for(member: Membership, *, suite: int = 1) -> tuple[HandlerKey, bytes]:
    """A member's key made in Python the way the browser makes it; returns the secret key too."""
    pair = seal.generate_key_pair(suite)
    key = services.member_key_create(
        member=member,
        suite=suite,
        public_key=pair.pk,
        wrapped_private_key=passphrase.wrap(PASSPHRASE, pair.sk, ctx=services.HANDLER_KEY_CTX),
    )
    return key, pair.sk
