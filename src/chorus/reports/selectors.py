"""Case reads for an organisation member (every one starts from their membership)."""

from __future__ import annotations

from chorus.orgs.models import Membership
from chorus.reports.models import Case


def member_cases(*, membership: Membership) -> list[Case]:
    """The cases of the member's organisation sealed to one of their keys, newest first."""
    return list(
        Case.objects.filter(organisation_id=membership.organisation_id)
        .filter(keys__key__membership=membership)
        .distinct()
        .order_by("-created_day", "-pk")
    )
