"""Every write about organisations, each atomic and audited (docs/protocols/reports.md).

Staff users, passwords and second factors belong to chorus.staff, which this domain app does not
import (the domain apps are independent). Where a write must also make or stop a staff user, the
interface passes the staff service in (``issue_enrolment``, ``deactivate``) and it runs inside
this function's transaction, so the membership and the enrolment link exist together or not at
all.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.core.audit import audit_record
from chorus.core.keys import public_key_check, wrapped_key_check
from chorus.orgs.access import access_member_of
from chorus.orgs.errors import HandlerKeyError, OrgError
from chorus.orgs.models import HandlerKey, Membership, Organisation

#: The scope a member's private key is wrapped under (passphrase envelope, escrow.md §8).
HANDLER_KEY_CTX = b"chorus/handler-key/v1"
NAME_MAX = 120
RESERVED_SLUGS = frozenset({"enrol"})  # /workspace/orgs/enrol/… is the enrolment page
DISPLAY_NAME_MAX = 80

#: ``issue_enrolment(username)`` makes a staff user and returns (user id, single-use token).
IssueEnrolment = Callable[[str], tuple[int, str]]
#: ``deactivate(username)`` stops a staff user signing in.
Deactivate = Callable[[str], object]


def _clean_text(value: str, *, what: str, most: int) -> str:
    value = " ".join(value.split())
    if not value or len(value) > most:
        raise OrgError(_("%(what)s has 1 to %(most)d characters.") % {"what": what, "most": most})
    if any(not ch.isprintable() for ch in value):
        raise OrgError(_("%(what)s cannot hold control characters.") % {"what": what})
    return value


def _username_free(username: str) -> None:
    if get_user_model().objects.filter(username=username.strip()).exists():
        raise OrgError(
            _("The username %(name)s is taken. Choose another one for this person.")
            % {"name": username.strip()}
        )


def _member_add(
    *,
    actor_id: int | None,
    organisation: Organisation,
    username: str,
    display_name: str,
    role: str,
    issue_enrolment: IssueEnrolment,
) -> tuple[Membership, str]:
    display_name = _clean_text(display_name, what=_("A display name"), most=DISPLAY_NAME_MAX)
    _username_free(username)
    user_id, token = issue_enrolment(username)
    membership = Membership.objects.create(
        organisation=organisation, user_id=user_id, role=role, display_name=display_name
    )
    audit_record(
        actor_id=actor_id,
        action=f"orgs.{role}_invited",
        object_type="membership",
        object_id=membership.pk,
    )
    return membership, token


def organisation_add(
    *,
    name: str,
    slug: str = "",
    admin_username: str,
    admin_display_name: str = "",
    issue_enrolment: IssueEnrolment,
    actor_id: int | None = None,
) -> tuple[Organisation, Membership, str]:
    """Register an organisation and its first admin (the operator's command or page; `actor_id`
    is the operator's user id on the page). Returns the admin's single-use enrolment token,
    which is stored only as its SHA-256 by chorus.staff."""
    name = _clean_text(name, what=_("An organisation's name"), most=NAME_MAX)
    slug = slugify(slug or name)[:64].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        raise OrgError(_("Give the organisation a short name of letters and digits (--slug)."))
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise OrgError(
                _("There is already an organisation at %(slug)s. Choose another --slug.")
                % {"slug": slug}
            )
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(slug=slug, name=name)
        except IntegrityError:  # registered by a command that won the race
            raise OrgError(
                _("There is already an organisation at %(slug)s.") % {"slug": slug}
            ) from None
        audit_record(
            actor_id=actor_id,
            action="orgs.organisation_added",
            object_type="organisation",
            object_id=organisation.pk,
        )
        admin, token = _member_add(
            actor_id=actor_id,
            organisation=organisation,
            username=admin_username,
            display_name=admin_display_name or admin_username,
            role=Membership.Role.ADMIN,
            issue_enrolment=issue_enrolment,
        )
    return organisation, admin, token


def member_invite(
    *,
    admin: Membership,
    username: str,
    display_name: str,
    role: str = Membership.Role.HANDLER,
    issue_enrolment: IssueEnrolment,
) -> tuple[Membership, str]:
    """An admin invites a handler (or another admin) to their own organisation."""
    if role not in Membership.Role.values:
        raise OrgError(_("Choose a role: handler or admin."))
    with transaction.atomic():
        return _member_add(
            actor_id=admin.user_id,
            organisation=admin.organisation,
            username=username,
            display_name=display_name,
            role=role,
            issue_enrolment=issue_enrolment,
        )


def member_remove(
    *,
    admin: Membership,
    member_id: int,
    deactivate: Deactivate,
    release: Callable[[Membership], object] | None = None,
) -> Membership:
    """An admin removes a member of their own organisation: the member can no longer sign in,
    their key is retired, so no new case key is sealed to it (reports.md §6), and their address
    is forgotten, so no mail reaches them. `release` lets other apps let go of what was theirs
    (chorus.reports: the cases assigned to them), in the same transaction."""
    with transaction.atomic():
        member = access_member_of(admin=admin, member_id=member_id)
        now = timezone.now()
        member.removed = now
        member.email = ""
        member.save(update_fields=["removed", "email"])
        HandlerKey.objects.filter(membership=member, retired__isnull=True).update(retired=now)
        deactivate(member.user.get_username())
        if release is not None:
            release(member)
        audit_record(
            actor_id=admin.user_id,
            action="orgs.member_removed",
            object_type="membership",
            object_id=member.pk,
        )
    return member


def member_key_create(
    *, member: Membership, suite: int, public_key: bytes, wrapped_private_key: bytes
) -> HandlerKey:
    """Store a key pair made in the member's browser: one active key per member."""
    public_key_check(public_key, suite, error=HandlerKeyError)
    wrapped_key_check(wrapped_private_key, error=HandlerKeyError)
    with transaction.atomic():
        Membership.objects.select_for_update().filter(pk=member.pk).first()
        if HandlerKey.objects.filter(membership=member, retired__isnull=True).exists():
            raise HandlerKeyError(_("You already have a key. Nothing was changed."))
        key = HandlerKey.objects.create(
            membership=member,
            suite=suite,
            public_key=public_key,
            wrapped_private_key=wrapped_private_key,
        )
        audit_record(
            actor_id=member.user_id,
            action="orgs.member_key_created",
            object_type="handler_key",
            object_id=key.pk,
        )
    return key
