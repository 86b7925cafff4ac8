"""What chorus.reports stores about people, how long, and how it is erased (reports.md §9).

- ``Case``: the organisation, a random reference, mode, status, days and times, the report
  boxed under a case key the server never holds, the reporter's own boxed copy of that key, and
  the reporter's account id (so they can see their case; never shown to the organisation).
- ``CaseKey``: the case key sealed to a member key; ``CaseExclusion``: whom the reporter
  excluded; ``Supporter``: a supporter's account id and boxed copy of the case key, or an
  invitation's SHA-256; ``Message`` and ``Note``: boxes under the case key, their author's kind
  and (members only) membership, and when they were written.

A closed case expires CHORUS_CASE_RETENTION_DAYS after it was closed (re-opening it clears the
date). `chorus cases-expire`, run daily, deletes each expired case with every row above that
belongs to it; only the audit log's entries (ids and action names, never content) remain, plus
one ``reports.case_erased`` entry. SQLite runs with ``secure_delete=ON``, so the freed pages
are overwritten; on PostgreSQL the dead rows go when autovacuum reclaims them.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from chorus.core.audit import audit_record
from chorus.reports.models import Case


@transaction.atomic
def _case_erase(*, case_id: int, now: datetime) -> bool:
    # Locked and checked again: a member may have re-opened it since the list was read.
    case = (
        Case.objects.select_for_update()
        .filter(pk=case_id, status=Case.Status.CLOSED, expires__lt=now)
        .first()
    )
    if case is None:
        return False
    case.delete()  # keys, exclusions, supporters, messages and notes cascade
    audit_record(
        actor_id=None, action="reports.case_erased", object_type="reports.case", object_id=case_id
    )
    return True


def cases_expire(*, now: datetime | None = None) -> int:
    """Erase every closed case whose retention period has ended; return how many."""
    now = now or timezone.now()
    expired = list(
        Case.objects.filter(status=Case.Status.CLOSED, expires__lt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_case_erase(case_id=case_id, now=now) for case_id in expired)
