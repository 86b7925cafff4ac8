"""Case reads and writes on someone's behalf (docs/protocols/reports.md §5, §11).

One condition per line; every refusal is the same ReportNotFoundError: a case of another
organisation, a case not sealed to this member, a case the survivor neither sent nor supports,
and a reference that does not exist look alike.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.orgs.models import Membership
from chorus.reports.errors import ReportNotFoundError
from chorus.reports.models import Case, CaseExclusion, CaseKey, Supporter

ROLE_REPORTER = "reporter"
ROLE_SUPPORTER = "supporter"


def case_not_found() -> ReportNotFoundError:
    return ReportNotFoundError(_("There is no such case in your organisation's inbox."))


def survivor_case_not_found() -> ReportNotFoundError:
    return ReportNotFoundError(_("There is no such case among yours."))


def access_case(*, membership: Membership, case_ref: bytes, for_update: bool = False) -> Case:
    """A case of the member's organisation whose case key was sealed to one of their keys.
    Held cases have no case keys (§7.6); the status is checked too, in case one ever does."""
    cases = Case.objects.select_for_update() if for_update else Case.objects.all()
    sealed_to_member = CaseKey.objects.filter(case=OuterRef("pk"), key__membership=membership)
    excluded = CaseExclusion.objects.filter(case=OuterRef("pk"), membership=membership)
    case = (
        cases.filter(case_ref=case_ref)
        .filter(organisation_id=membership.organisation_id)
        .filter(Exists(sealed_to_member))
        .exclude(status=Case.Status.HELD)
        .exclude(Exists(excluded))
        .first()
    )
    if case is None:
        raise case_not_found()
    return case


def access_case_key(*, membership: Membership, case: Case) -> CaseKey:
    """The member's own sealed case key of `case` (from access_case, so one exists); with a
    granted copy for a newer key as well, the newest key's."""
    case_key = (
        CaseKey.objects.select_related("key")
        .filter(case=case, key__membership=membership)
        .order_by("-key__created", "-key_id")
        .first()
    )
    if case_key is None:  # pragma: no cover - access_case found one in the same transaction
        raise case_not_found()
    return case_key


def access_survivor_case(
    *, account: Account, case_ref: bytes, for_update: bool = False
) -> tuple[Case, str, Supporter | None]:
    """(case, "reporter" | "supporter", the supporter row or None) for the survivor who sent the
    case or who supports it (accepted, not removed). A held case is its reporter's only."""
    cases = Case.objects.select_for_update(of=("self",)) if for_update else Case.objects.all()
    case = cases.select_related("organisation").filter(case_ref=case_ref).first()
    if case is None:
        raise survivor_case_not_found()
    if case.reporter_account_id == account.pk:
        return case, ROLE_REPORTER, None
    supporter = (
        Supporter.objects.filter(case=case)
        .filter(account=account)
        .filter(accepted__isnull=False)
        .filter(removed__isnull=True)
        .first()
    )
    if supporter is None:
        raise survivor_case_not_found()
    if case.status == Case.Status.HELD:
        raise survivor_case_not_found()
    return case, ROLE_SUPPORTER, supporter
