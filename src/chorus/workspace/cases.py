"""The organisation's case inbox, as JSON for the member's browser (reports.md §7.2).

The browser unwraps the member's private key with their passphrase, opens the sealed case key
and then the report; this server only hands over ciphertext, the member's own sealed case key
and their wrapped private key. Every refusal is the uniform 404 of the organisation pages.
"""

from __future__ import annotations

import base64
import json
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.orgs.models import Membership
from chorus.reports import selectors, services
from chorus.reports.errors import ReportError
from chorus.reports.models import Case
from chorus.workspace.orgs import member_required

_REF = re.compile(r"[0-9a-f]{32}")


def _json_error(error: ReportError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def _summary(case: Case) -> dict[str, str]:
    return {
        "case": bytes(case.case_ref).hex(),
        "status": case.status,
        "day": case.created_day.isoformat(),
        "mode": case.mode,
    }


def _ref(text: str) -> bytes | None:
    return bytes.fromhex(text) if _REF.fullmatch(text) else None


def _no_case() -> JsonResponse:
    message = _("There is no such case in your organisation's inbox.")
    return JsonResponse({"message": message, "code": "not_found"}, status=404)


@require_GET
@member_required(json_body=True)
def cases_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """GET …/cases: {"cases": [{"case", "status", "day", "mode"}]}."""
    return JsonResponse({"cases": [_summary(c) for c in selectors.member_cases(membership=member)]})


@require_GET
@member_required(json_body=True)
def case_data(request: HttpRequest, member: Membership, ref: str) -> HttpResponse:
    """GET …/cases/<ref>: the report's ciphertext and what the member needs to open it."""
    case_ref = _ref(ref)
    if case_ref is None:
        return _no_case()
    try:
        case, case_key = services.case_open(membership=member, case_ref=case_ref)
    except ReportError as exc:
        return _json_error(exc)
    body: dict[str, object] = dict(_summary(case))
    body.update(
        {
            "ciphertext": base64.b64encode(bytes(case.body)).decode(),
            "sealed": base64.b64encode(bytes(case_key.sealed)).decode(),
            "suite": case_key.key.suite,
            "wrapped_private_key": bytes(case_key.key.wrapped_private_key).hex(),
        }
    )
    return JsonResponse(body)


@require_POST
@member_required(json_body=True)
def case_status(request: HttpRequest, member: Membership, ref: str) -> HttpResponse:
    """POST …/cases/<ref>/status {"status": "…"}: 200 with the case summary."""
    case_ref = _ref(ref)
    if case_ref is None:
        return _no_case()
    try:
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            message = _("The request is not valid JSON. Nothing was changed.")
            return JsonResponse({"message": message, "code": "invalid"}, status=400)
        status = services.case_status_parse(data)
        case = services.case_status_set(membership=member, case_ref=case_ref, status=status)
    except ReportError as exc:
        return _json_error(exc)
    return JsonResponse(_summary(case))


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/cases", cases_list, name="org_cases"),
    path("<slug:slug>/cases/<str:ref>", case_data, name="org_case"),
    path("<slug:slug>/cases/<str:ref>/status", case_status, name="org_case_status"),
]
