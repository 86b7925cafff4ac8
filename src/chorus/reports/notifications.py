"""Tell members that something changed, and nothing more (docs/protocols/reports.md §9).

On a new case and on every new message from the reporter or a supporter, each current member who
can open the case and has given an email address receives one short mail. It names no case, no
reference, no mode, no reporter and no organisation: a mailbox is often read by more people, or
on more devices, than the workspace. Survivors receive nothing; they see changes when they sign
in. Mail goes out only after the transaction commits, so a refused or rolled-back write never
sends one.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.audit import audit_record
from chorus.orgs.models import Membership
from chorus.reports.errors import ReportInvalidError
from chorus.reports.models import Case

log = logging.getLogger(__name__)


def case_recipients(*, case: Case) -> list[str]:
    """The addresses of current members who hold a case key of `case`, each once."""
    emails = (
        Membership.objects.filter(organisation_id=case.organisation_id)
        .filter(removed__isnull=True)
        .filter(user__is_active=True)
        .filter(keys__case_keys__case=case)
        .exclude(exclusions__case=case)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


def _send(recipients: list[str]) -> None:
    subject = _("Something changed in your Chorus workspace")
    body = _(
        "Something changed in your Chorus workspace. Sign in to see it.\n\n"
        "This message says nothing else on purpose."
    )
    # One message per person, so nobody learns who else works on the case.
    try:
        send_mass_mail([(subject, body, None, [email]) for email in recipients])
    except OSError:
        # The write is stored; a mail server that is down must not turn it into an error page.
        # The log names no address.
        log.warning("Could not send %d workspace notification(s).", len(recipients))


def case_changed_notify(*, case: Case) -> None:
    """Queue the notification for after the current transaction commits."""
    recipients = case_recipients(case=case)
    if recipients:
        transaction.on_commit(lambda: _send(recipients))


def members_notify(*, emails: list[str]) -> None:
    """The same mail to these addresses, each once, after the transaction commits (for
    chorus.together, whose released cases reach members before any case key exists)."""
    recipients = sorted(set(emails))
    if recipients:
        transaction.on_commit(lambda: _send(recipients))


@transaction.atomic
def member_email_set(*, username: str, email: str, actor_id: int | None = None) -> Membership:
    """Set (or, with "", clear) where a current member's notifications go; audited without the
    address. The operator's `chorus member-email` calls it, and the member on their home page
    (`actor_id`: their own user id)."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ReportInvalidError(_("That is not an email address.")) from None
    membership = (
        Membership.objects.select_for_update()
        .filter(user__username=username.strip(), removed__isnull=True)
        .first()
    )
    if membership is None:
        raise ReportInvalidError(_("No current organisation member has that username."))
    membership.email = email
    membership.save(update_fields=["email"])
    audit_record(
        actor_id=actor_id,
        action="orgs.member_email_set" if email else "orgs.member_email_cleared",
        object_type="orgs.membership",
        object_id=membership.pk,
    )
    return membership
