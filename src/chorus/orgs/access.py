"""Organisation reads on a staff member's behalf (docs/protocols/reports.md §5).

One condition per line; every refusal is the same OrgNotFoundError, with the same message, for
"there is no such organisation", "you are not in it", "you were removed" and "you are not its
admin": a handler of one organisation learns nothing about another, not even that it exists.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.orgs.errors import OrgNotFoundError
from chorus.orgs.models import Membership


def org_not_found() -> OrgNotFoundError:
    return OrgNotFoundError(_("There is no such page in your organisation's workspace."))


def access_membership(*, user_id: int, slug: str) -> Membership:
    """The signed-in staff user's own, current membership of the organisation ``slug``."""
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user_id=user_id)
        .filter(organisation__slug=slug)
        .filter(removed__isnull=True)
        .filter(user__is_active=True)
        .first()
    )
    if membership is None:
        raise org_not_found()
    return membership


def access_admin(*, user_id: int, slug: str) -> Membership:
    """As access_membership, and the member is an admin of that organisation."""
    membership = access_membership(user_id=user_id, slug=slug)
    if not membership.is_admin:
        raise org_not_found()
    return membership


def access_member_of(*, admin: Membership, member_id: int) -> Membership:
    """A current member of the admin's own organisation, other than the admin, for an admin
    action on them. Ids of members of other organisations are refused like unknown ids."""
    member = (
        Membership.objects.select_for_update()
        .filter(pk=member_id)
        .filter(organisation_id=admin.organisation_id)
        .filter(removed__isnull=True)
        .exclude(pk=admin.pk)
        .first()
    )
    if member is None:
        raise org_not_found()
    return member
