"""Together reads that need no authorisation beyond "this is the signed-in survivor"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chorus.accounts.models import Account
from chorus.orgs.models import Organisation
from chorus.reports.models import Case

#: The escrow scope of an organisation (escrow.md §4: `"org:" ‖ organisation id`, the id in
#: decimal ASCII). Indexes made for one organisation never group with another's or with the
#: deployment-wide escrow's (`"deployment"`).
ESCROW_CTX_PREFIX = b"org:"


def escrow_ctx(*, organisation: Organisation) -> bytes:
    return ESCROW_CTX_PREFIX + str(organisation.pk).encode("ascii")


@dataclass(frozen=True, slots=True)
class HeldSummary:
    """What a survivor sees of their own together report: no index, no share."""

    case: str
    org_name: str
    created_day: date
    held: bool


def held_list(*, account: Account) -> list[HeldSummary]:
    """The survivor's own together reports, newest first."""
    rows = (
        Case.objects.filter(reporter_account=account, mode=Case.Mode.TOGETHER)
        .select_related("organisation")
        .order_by("-created_day", "-pk")
    )
    return [
        HeldSummary(
            case=bytes(case.case_ref).hex(),
            org_name=case.organisation.name,
            created_day=case.created_day,
            held=case.status == Case.Status.HELD,
        )
        for case in rows
    ]
