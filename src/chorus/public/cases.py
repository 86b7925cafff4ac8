"""The survivor's report pages: send a record as a report, list the cases, read and answer one.

Everything readable happens in the browser (frontend/src/reports/): it opens the record, seals
the report to the organisation's member keys, and opens the case and its conversation with the
survivor's own copy of the case key. These views only render the pages and say which JSON
addresses of reports.md §11.2 the page uses; they decide nothing about who may read what beyond
refusing, with one uniform 404, a record or case that is not the survivor's.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chorus.public.records import _setup as record_setup
from chorus.public.session import account_required
from chorus.records import access as record_access
from chorus.records.errors import RecordError
from chorus.reports import access as case_access
from chorus.reports import selectors
from chorus.reports.errors import ReportError
from chorus.reports.models import Case

_REF = re.compile(r"[0-9a-f]{32}")
_RECORD_ID = re.compile(r"[1-9][0-9]{0,17}")


def status_labels() -> dict[str, str]:
    """What a survivor reads for each status (the workspace uses the models' own words)."""
    return {
        Case.Status.HELD: _("Waiting until someone else reports the same person"),
        Case.Status.RECEIVED: _("Received"),
        Case.Status.IN_REVIEW: _("Being looked at"),
        Case.Status.ACTION_TAKEN: _("Action taken"),
        Case.Status.CLOSED: _("Closed"),
    }


def mode_labels() -> dict[str, str]:
    return {
        Case.Mode.NAMED: _("With the reporter's name"),
        Case.Mode.ANONYMOUS: _("Without a name"),
        Case.Mode.TOGETHER: _("Together with others"),
    }


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    context = {"message": message, "survivor_page": True}
    return render(request, "public/cases/gone.html", context, status=404)


@require_GET
@account_required
def report_new(request: HttpRequest) -> HttpResponse:
    """/reports/new?record=<id>: the page that opens the record and sends it as a report."""
    account = request.account  # type: ignore[attr-defined]
    raw = request.GET.get("record", "")
    message = _("There is no such record among yours. Choose a record to send from your list.")
    if not _RECORD_ID.fullmatch(raw):
        return _not_found(request, message)
    try:
        record = record_access.access_record(account=account, record_id=int(raw))
    except RecordError:
        return _not_found(request, message)
    setup: dict[str, Any] = record_setup(record_id=record.pk)
    keys_url = reverse("public:org_keys", args=["slug"])
    setup.update(
        {
            "keys_url": keys_url[: -len("slug/keys")],
            "send_url": reverse("public:reports_send"),
            "cases_url": reverse("public:cases"),
            "together_url": f"{reverse('public:together_new')}?record={record.pk}",
            "org": request.GET.get("org", "")[:64],
        }
    )
    context = {"setup": setup, "record": record, "survivor_page": True}
    return render(request, "public/reports/new.html", context)


def _status_text(case: Case) -> str:
    if case.status == Case.Status.CLOSED and case.expires is not None:
        return _(
            "Closed by the organisation. This report and its conversation will be erased on "
            "%(day)s."
        ) % {"day": date_format(case.expires.astimezone(UTC).date(), "j F Y")}
    return status_labels()[case.status]


@require_GET
@account_required
def cases_home(request: HttpRequest) -> HttpResponse:
    """/cases: the reports this survivor sent (held ones link to the "together" page, where they
    can be withdrawn) and the cases they support. Nothing here needs decrypting."""
    account = request.account  # type: ignore[attr-defined]
    rows = [
        {
            "case": case,
            "ref": bytes(case.case_ref).hex(),
            "role": role,
            "held": case.status == Case.Status.HELD,
            "status": _status_text(case),
            "messages": case.message_count,  # type: ignore[attr-defined]
        }
        for case, role in selectors.survivor_cases(account=account)
    ]
    context = {"rows": rows, "survivor_page": True}
    return render(request, "public/cases/home.html", context)


@require_GET
@account_required
def case_page(request: HttpRequest, ref: str) -> HttpResponse:
    """/cases/<ref>: the report and its conversation, opened in the browser."""
    account = request.account  # type: ignore[attr-defined]
    message = _("There is no such case among yours.")
    if not _REF.fullmatch(ref):
        return _not_found(request, message)
    try:
        case, role, _supporter = case_access.access_survivor_case(
            account=account, case_ref=bytes.fromhex(ref)
        )
    except ReportError:
        return _not_found(request, message)
    setup = {
        "case": ref,
        "slug": case.organisation.slug,
        "org": case.organisation.name,
        "role": role,
        "data_url": reverse("public:report_case", args=[ref]),
        "messages_url": reverse("public:report_case_messages", args=[ref]),
        "signin_url": reverse("public:account_signin"),
        "cases_url": reverse("public:cases"),
        "statuses": status_labels(),
        "modes": mode_labels(),
        "expires": None
        if case.expires is None
        else f"{case.expires.astimezone(UTC):%Y-%m-%dT%H:%MZ}",
        "questions": record_setup(record_id=None)["questions"],
    }
    context = {
        "setup": setup,
        "case": case,
        "readers": [m.display_name for m in selectors.case_assignable(case=case)],
        "excluded": selectors.case_excluded_names(case=case) if role == "reporter" else [],
        "case_ref": ref,
        "role": role,
        "sent": request.GET.get("sent") == "1",
        "survivor_page": True,
    }
    return render(request, "public/cases/case.html", context)
