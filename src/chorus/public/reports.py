"""A survivor's cases as JSON for their browser (docs/protocols/reports.md §11.2): send a report,
list the cases they sent or support, open one, write in its conversation.

The browser (frontend/src/reports/) makes a random case key, boxes the report under it and
seals the case key to the organisation's member keys; it opens everything it receives with its
own copy of the case key. These views only store and hand back ciphertext. Every case the
survivor neither sent nor supports is the same 404.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.core.errors import RateLimitedError
from chorus.public import limits
from chorus.public.session import session_account
from chorus.reports import access, selectors, services
from chorus.reports.errors import ReportError, ReportInvalidError, ReportTooLargeError
from chorus.reports.models import Case, Message, Supporter

#: What the endpoint reads at most: the largest body in base64, the keys and the JSON around.
_BODY_LIMIT = (services.MAX_BODY_BYTES + 2) // 3 * 4 + 64 * 1024
#: A message: its box in base64 and the JSON around it (the 16 KiB of every request body).
_MESSAGE_LIMIT = 16 * 1024
_REF = re.compile(r"[0-9a-f]{32}")


def _json_error(error: ReportError | RateLimitedError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def _signed_out() -> JsonResponse:
    message = _("You are not signed in. Sign in with your codename and try again.")
    return JsonResponse({"message": message, "code": "signed_out"}, status=403)


def _b64(raw: bytes | memoryview) -> str:
    return base64.b64encode(bytes(raw)).decode("ascii")


def _minute(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _read_json(request: HttpRequest, *, limit: int) -> Any:
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise ReportTooLargeError(_("This is too large to send."))
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportInvalidError(_("The request is not valid JSON. Nothing was stored.")) from None


def _case_ref(ref: str) -> bytes:
    if not _REF.fullmatch(ref):
        raise access.survivor_case_not_found()
    return bytes.fromhex(ref)


def _summary(case: Case, role: str) -> dict[str, Any]:
    return {
        "case": bytes(case.case_ref).hex(),
        "org": {"slug": case.organisation.slug, "name": case.organisation.name},
        "mode": case.mode,
        "status": case.status,
        "day": case.created_day.isoformat(),
        "role": role,
        # When the organisation closed it and when it will be erased unless re-opened (§9).
        "closed": _minute(case.closed) if case.closed is not None else None,
        "expires": _minute(case.expires) if case.expires is not None else None,
    }


def _message(message: Message) -> dict[str, Any]:
    member = message.author_membership
    return {
        "n": message.number,
        "author": message.author,
        "name": member.display_name if member is not None else None,
        "time": _minute(message.created),
        "box": _b64(message.box),
    }


def _supporter(supporter: Supporter) -> dict[str, Any]:
    return {
        "id": supporter.pk,
        "accepted": supporter.accepted is not None,
        "can_write": supporter.can_write,
        "day": supporter.created.date().isoformat(),
    }


@require_POST
def reports_send(request: HttpRequest) -> JsonResponse:
    """POST /reports: 201 {"case": "<case_ref hex>", "status": "received"}."""
    account = session_account(request)
    if account is None:
        return _signed_out()
    try:
        report_input = services.report_input_parse(_read_json(request, limit=_BODY_LIMIT))
        with limits.report_slot(account_id=account.pk):
            case = services.report_send(account=account, report_input=report_input)
    except (ReportError, RateLimitedError) as exc:
        return _json_error(exc)
    return JsonResponse({"case": bytes(case.case_ref).hex(), "status": case.status}, status=201)


@require_GET
def reports_cases(request: HttpRequest) -> JsonResponse:
    """GET /reports/cases: the cases the survivor sent or supports, newest first."""
    account = session_account(request)
    if account is None:
        return _signed_out()
    cases = [
        {**_summary(case, role), "messages": case.message_count}  # type: ignore[attr-defined]
        for case, role in selectors.survivor_cases(account=account)
    ]
    return JsonResponse({"cases": cases})


@require_GET
def report_case(request: HttpRequest, ref: str) -> JsonResponse:
    """GET /reports/cases/<ref>: the report, the survivor's boxed case key and the messages."""
    account = session_account(request)
    if account is None:
        return _signed_out()
    try:
        case, role, supporter = access.access_survivor_case(
            account=account, case_ref=_case_ref(ref)
        )
    except ReportError as exc:
        return _json_error(exc)
    body = _summary(case, role)
    body.update(
        {
            "can_write": supporter is None or supporter.can_write,
            "body": _b64(case.body),
            "box": _b64(case.reporter_box if supporter is None else supporter.box),
            "messages": [_message(m) for m in selectors.case_messages(case=case)],
        }
    )
    if supporter is None:
        body["supporters"] = [_supporter(s) for s in selectors.case_supporters(case=case)]
    return JsonResponse(body)


@require_POST
def report_case_messages(request: HttpRequest, ref: str) -> JsonResponse:
    """POST /reports/cases/<ref>/messages {"n", "box"}: 201 {"n"}."""
    account = session_account(request)
    if account is None:
        return _signed_out()
    try:
        case_ref = _case_ref(ref)
        item = services.numbered_box_parse(_read_json(request, limit=_MESSAGE_LIMIT))
        with limits.message_slot(account_id=account.pk):
            message = services.survivor_message_add(account=account, case_ref=case_ref, item=item)
    except (ReportError, RateLimitedError) as exc:
        return _json_error(exc)
    return JsonResponse({"n": message.number}, status=201)
