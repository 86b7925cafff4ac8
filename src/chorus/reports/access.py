"""Case reads and writes on an organisation member's behalf (docs/protocols/reports.md §5).

One condition per line; every refusal is the same ReportNotFoundError: a case of another
organisation, a case not sealed to this member, and a reference that does not exist look alike.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.orgs.models import Membership
from chorus.reports.errors import ReportNotFoundError
from chorus.reports.models import Case, CaseKey


def case_not_found() -> ReportNotFoundError:
    return ReportNotFoundError(_("There is no such case in your organisation's inbox."))


def access_case(*, membership: Membership, case_ref: bytes, for_update: bool = False) -> Case:
    """A case of the member's organisation whose case key was sealed to one of their keys."""
    cases = Case.objects.select_for_update() if for_update else Case.objects.all()
    case = (
        cases.filter(case_ref=case_ref)
        .filter(organisation_id=membership.organisation_id)
        .filter(keys__key__membership=membership)
        .first()
    )
    if case is None:
        raise case_not_found()
    return case


def access_case_key(*, membership: Membership, case: Case) -> CaseKey:
    """The member's own sealed case key of `case` (from access_case, so one exists)."""
    return CaseKey.objects.select_related("key").filter(case=case, key__membership=membership).get()
