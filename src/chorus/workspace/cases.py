"""The organisation's cases as JSON for the member's browser (reports.md §7, §11.3).

The browser unwraps the member's private key with their passphrase, opens the sealed case key
and then the report, messages and notes; it boxes new messages and notes, and seals the case key
to a colleague's key for a grant. This server only stores and hands over ciphertext. Every
refusal is the uniform 404 of the organisation pages.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.orgs.models import Membership
from chorus.reports import selectors, services
from chorus.reports.errors import ReportError, ReportInvalidError
from chorus.reports.models import Case, Message, Note
from chorus.workspace.orgs import member_required

_REF = re.compile(r"[0-9a-f]{32}")


def _json_error(error: ReportError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def _b64(raw: bytes | memoryview) -> str:
    return base64.b64encode(bytes(raw)).decode("ascii")


def _minute(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _member(member: Membership | None) -> dict[str, Any] | None:
    return None if member is None else {"id": member.pk, "name": member.display_name}


def _summary(case: Case) -> dict[str, Any]:
    return {
        "case": bytes(case.case_ref).hex(),
        "status": case.status,
        "day": case.created_day.isoformat(),
        "mode": case.mode,
        "assignee": _member(case.assignee),
        "closed": _minute(case.closed),
        "expires": _minute(case.expires),
        "changed": _minute(case.changed),
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "n": message.number,
        "author": message.author,
        "name": _member(message.author_membership)["name"]  # type: ignore[index]
        if message.author_membership is not None
        else None,
        "time": _minute(message.created),
        "box": _b64(message.box),
    }


def _note(note: Note) -> dict[str, Any]:
    return {
        "n": note.number,
        "name": note.membership.display_name,
        "time": _minute(note.created),
        "box": _b64(note.box),
    }


def _ref(text: str) -> bytes | None:
    return bytes.fromhex(text) if _REF.fullmatch(text) else None


def _no_case() -> JsonResponse:
    message = _("There is no such case in your organisation's inbox.")
    return JsonResponse({"message": message, "code": "not_found"}, status=404)


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportInvalidError(_("The request is not valid JSON. Nothing was changed.")) from None


def _case_post(
    act: Callable[[Membership, bytes, Any], HttpResponse],
) -> Callable[..., HttpResponse]:
    """A POST on one case: the reference checked (404), the JSON body read (400), domain errors
    as JSON."""

    @require_POST
    @member_required(json_body=True)
    def view(request: HttpRequest, member: Membership, ref: str) -> HttpResponse:
        case_ref = _ref(ref)
        if case_ref is None:
            return _no_case()
        try:
            return act(member, case_ref, _body(request))
        except ReportError as exc:
            return _json_error(exc)

    view.__name__ = act.__name__
    view.__doc__ = act.__doc__
    return view


@require_GET
@member_required(json_body=True)
def cases_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """GET …/cases: the member's inbox (never held cases, never one they are excluded from)."""
    cases = [
        {
            **_summary(case),
            "exclusions": case.has_exclusions,  # type: ignore[attr-defined]
            "messages": case.message_count,  # type: ignore[attr-defined]
        }
        for case in services.cases_list(membership=member)
    ]
    return JsonResponse({"cases": cases})


@require_GET
@member_required(json_body=True)
def case_data(request: HttpRequest, member: Membership, ref: str) -> HttpResponse:
    """GET …/cases/<ref>: the ciphertexts of the case and what the member needs to open them."""
    case_ref = _ref(ref)
    if case_ref is None:
        return _no_case()
    try:
        case, case_key = services.case_open(membership=member, case_ref=case_ref)
    except ReportError as exc:
        return _json_error(exc)
    body = _summary(case)
    body.update(
        {
            "body": _b64(case.body),
            "sealed": _b64(case_key.sealed),
            "suite": case_key.key.suite,
            "wrapped_private_key": bytes(case_key.key.wrapped_private_key).hex(),
            "messages": [_message(m) for m in selectors.case_messages(case=case)],
            "notes": [_note(n) for n in selectors.case_notes(case=case)],
            "assignable": [_member(m) for m in selectors.case_assignable(case=case)],
            "excluded": selectors.case_excluded_names(case=case),
        }
    )
    return JsonResponse(body)


def case_status(member: Membership, case_ref: bytes, data: Any) -> HttpResponse:
    """POST …/cases/<ref>/status {"status"}: 200 with the case summary."""
    status = services.case_status_parse(data)
    case = services.case_status_set(membership=member, case_ref=case_ref, status=status)
    return JsonResponse(_summary(case))


def case_assign(member: Membership, case_ref: bytes, data: Any) -> HttpResponse:
    """POST …/cases/<ref>/assign {"member": id | null}: 200 with the case summary."""
    member_id = services.case_assign_parse(data)
    case = services.case_assign(membership=member, case_ref=case_ref, member_id=member_id)
    return JsonResponse(_summary(case))


def case_message(member: Membership, case_ref: bytes, data: Any) -> HttpResponse:
    """POST …/cases/<ref>/messages {"n", "box"}: 201 {"n"}."""
    item = services.numbered_box_parse(data)
    message = services.member_message_add(membership=member, case_ref=case_ref, item=item)
    return JsonResponse({"n": message.number}, status=201)


def case_note(member: Membership, case_ref: bytes, data: Any) -> HttpResponse:
    """POST …/cases/<ref>/notes {"n", "box"}: 201 {"n"}."""
    item = services.numbered_box_parse(data)
    note = services.note_add(membership=member, case_ref=case_ref, item=item)
    return JsonResponse({"n": note.number}, status=201)


def case_grant(member: Membership, case_ref: bytes, data: Any) -> HttpResponse:
    """POST …/cases/<ref>/grants {"key", "sealed"}: 201 {"key"}."""
    grant = services.grant_parse(data)
    case_key = services.case_grant(membership=member, case_ref=case_ref, grant=grant)
    return JsonResponse({"key": case_key.key_id}, status=201)


@require_GET
@member_required(admin=True, json_body=True)
def case_counts(request: HttpRequest, member: Membership) -> HttpResponse:
    """GET …/counts (admins): cases by status and mode, cells under 5 as "fewer than 5"."""
    return JsonResponse(selectors.case_counts(organisation=member.organisation))


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/cases", cases_list, name="org_cases"),
    path("<slug:slug>/counts", case_counts, name="org_case_counts"),
    path("<slug:slug>/cases/<str:ref>", case_data, name="org_case"),
    path("<slug:slug>/cases/<str:ref>/status", _case_post(case_status), name="org_case_status"),
    path("<slug:slug>/cases/<str:ref>/assign", _case_post(case_assign), name="org_case_assign"),
    path(
        "<slug:slug>/cases/<str:ref>/messages", _case_post(case_message), name="org_case_messages"
    ),
    path("<slug:slug>/cases/<str:ref>/notes", _case_post(case_note), name="org_case_notes"),
    path("<slug:slug>/cases/<str:ref>/grants", _case_post(case_grant), name="org_case_grants"),
]
