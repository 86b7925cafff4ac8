"""A survivor sends one of their records to an organisation, anonymously.

The browser (frontend/src/reports/) opens the record, makes a random case key, boxes the report
under it and seals the case key to every member key from /orgs/<slug>/keys; this endpoint only
stores what it receives (docs/protocols/reports.md §4.4).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.public.session import session_account
from chorus.reports import services
from chorus.reports.errors import ReportError, ReportTooLargeError

#: What the endpoint reads at most: the largest body in base64, the keys and the JSON around.
_BODY_LIMIT = (services.MAX_BODY_BYTES + 2) // 3 * 4 + 64 * 1024


def _json_error(error: ReportError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


@require_POST
def reports_send(request: HttpRequest) -> JsonResponse:
    """POST /reports: 201 {"case": "<case_ref hex>", "status": "received"}."""
    account = session_account(request)
    if account is None:
        message = _("You are not signed in. Sign in with your codename and try again.")
        return JsonResponse({"message": message, "code": "signed_out"}, status=403)
    raw = request.read(_BODY_LIMIT + 1)
    try:
        if len(raw) > _BODY_LIMIT:
            raise ReportTooLargeError(_("This report is too large to send."))
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            message = _("The request is not valid JSON. Nothing was stored.")
            return JsonResponse({"message": message, "code": "invalid"}, status=400)
        report_input = services.report_input_parse(data)
        case = services.report_send(account=account, report_input=report_input)
    except ReportError as exc:
        return _json_error(exc)
    return JsonResponse({"case": bytes(case.case_ref).hex(), "status": case.status}, status=201)
