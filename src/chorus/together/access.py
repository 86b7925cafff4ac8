"""Together reads and writes on someone's behalf. One condition per line; every refusal is the
same 404, so nobody learns whether another survivor's case or another organisation's group
exists."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.orgs.models import HandlerKey, Membership
from chorus.reports.models import Case
from chorus.together.errors import TogetherNotFoundError
from chorus.together.models import Group, HeldEntry


def held_not_found() -> TogetherNotFoundError:
    return TogetherNotFoundError(_("There is no held report of yours that can be withdrawn here."))


def group_not_found() -> TogetherNotFoundError:
    return TogetherNotFoundError(_("There is no such group of reports for you to open."))


def access_held_for_withdrawal(*, account: Account, case_ref: bytes) -> HeldEntry:
    """The survivor's own together case, still held, locked for deletion."""
    entry = (
        HeldEntry.objects.select_for_update()
        .select_related("case")
        .filter(case__case_ref=case_ref)
        .filter(account=account)
        .filter(case__reporter_account=account)
        .filter(case__mode=Case.Mode.TOGETHER)
        .filter(case__status=Case.Status.HELD)
        .filter(group__isnull=True)
        .first()
    )
    if entry is None:
        raise held_not_found()
    return entry


def access_group_key(*, membership: Membership, group_id: int) -> tuple[Group, HandlerKey]:
    """A released group of the member's organisation holding a share sealed to the member's
    active key, and that key."""
    key = (
        HandlerKey.objects.filter(membership=membership)
        .filter(membership__removed__isnull=True)
        .filter(retired__isnull=True)
        .first()
    )
    if key is None:
        raise group_not_found()
    group = (
        Group.objects.filter(pk=group_id)
        .filter(organisation_id=membership.organisation_id)
        .filter(entries__shares__key=key)
        .first()
    )
    if group is None:
        raise group_not_found()
    return group, key
