"""The survivor's private records: list, write, open, edit, print, delete.

Writing and reading happen in the browser (frontend/src/records/): the words and attachments
are sealed there under the survivor's record key, and this server stores only the envelope and
its signed time stamp (docs/protocols/records.md).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.public.session import account_required, session_account
from chorus.records import access, selectors, services
from chorus.records.errors import RecordError, RecordTooLargeError
from chorus.records.models import RecordVersion
from chorus.records.stamps import stamp_public_key, stamp_time_text

#: What the save endpoint reads at most: the largest envelope in base64 plus the JSON around it.
_BODY_LIMIT = (services.MAX_ENVELOPE_BYTES + 2) // 3 * 4 + 1024


def _json_error(error: RecordError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def _signed_out() -> JsonResponse:
    message = _("You are not signed in. Sign in with your codename and try again.")
    return JsonResponse({"message": message, "code": "signed_out"}, status=403)


def _stamp_json(version: RecordVersion) -> dict[str, Any]:
    return {
        "record": version.record_id,
        "version": version.number,
        "sha256": bytes(version.digest).hex(),
        "time": stamp_time_text(version.stamped_at),
        "signature": bytes(version.signature).hex(),
    }


def _setup(*, record_id: int | None) -> dict[str, Any]:
    return {
        "record": record_id,
        "save_url": reverse("public:records_save"),
        "envelope_url": (
            reverse("public:record_envelope", args=[record_id]) if record_id else None
        ),
        "signin_url": reverse("public:account_signin"),
        "list_url": reverse("public:records"),
        "public_key": stamp_public_key().hex(),
        "questions": [
            ["what", _("What happened?")],
            ["when", _("When did it happen?")],
            ["where", _("Where did it happen?")],
            ["who", _("Who did it?")],
            ["witnesses", _("Did anyone see or hear it, or did you tell anyone afterwards?")],
            ["impact", _("How has it affected you?")],
        ],
    }


@require_GET
@account_required
def records_home(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    context = {
        "records": selectors.record_list(account=account),
        "deleted": request.GET.get("deleted") == "1",
        "survivor_page": True,
    }
    return render(request, "public/records/home.html", context)


@require_GET
@account_required
def record_new(request: HttpRequest) -> HttpResponse:
    context = {"setup": _setup(record_id=None), "survivor_page": True, "editing": False}
    return render(request, "public/records/edit.html", context)


def _own_record_page(request: HttpRequest, record_id: int, template: str) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    try:
        record = access.access_record(account=account, record_id=record_id)
    except RecordError as exc:
        context = {"error": exc, "survivor_page": True}
        return render(request, "public/records/gone.html", context, status=exc.status)
    latest = selectors.record_version_latest(record=record)
    context = {
        "setup": _setup(record_id=record.pk),
        "record": record,
        "stamp": _stamp_json(latest),
        "stamped_at": latest.stamped_at,
        "survivor_page": True,
        "editing": True,
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, template, context)


@require_GET
@account_required
def record_open(request: HttpRequest, record_id: int) -> HttpResponse:
    return _own_record_page(request, record_id, "public/records/open.html")


@require_GET
@account_required
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    return _own_record_page(request, record_id, "public/records/edit.html")


@require_GET
def record_envelope(request: HttpRequest, record_id: int) -> JsonResponse:
    """The newest version's envelope and stamp, for the survivor's browser to open."""
    account = session_account(request)
    if account is None:
        return _signed_out()
    try:
        record = access.access_record(account=account, record_id=record_id)
    except RecordError as exc:
        return _json_error(exc)
    latest = selectors.record_version_latest(record=record)
    body = _stamp_json(latest)
    body["envelope"] = base64.b64encode(bytes(latest.envelope)).decode("ascii")
    return JsonResponse(body)


@require_POST
def records_save(request: HttpRequest) -> JsonResponse:
    """Save a new record or a new version. The body may be large (settings.BODY_SIZE_ALLOWANCES),
    so it is read from the stream with its own limit rather than through request.body."""
    account = session_account(request)
    if account is None:
        return _signed_out()
    raw = request.read(_BODY_LIMIT + 1)
    try:
        if len(raw) > _BODY_LIMIT:
            raise RecordTooLargeError(_("This record is too large to save. Remove an attachment."))
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            message = _("The request is not valid JSON. Nothing was stored.")
            return JsonResponse({"message": message, "code": "invalid"}, status=400)
        record_input = services.record_input_parse(data)
        version = services.record_save(account=account, record_input=record_input)
    except RecordError as exc:
        return _json_error(exc)
    return JsonResponse(_stamp_json(version), status=201)


@require_http_methods(["GET", "POST"])
@account_required
def record_delete(request: HttpRequest, record_id: int) -> HttpResponse:
    """GET asks the survivor to confirm (deleting cannot be undone); POST deletes."""
    if request.method == "GET":
        return _own_record_page(request, record_id, "public/records/delete.html")
    account = request.account  # type: ignore[attr-defined]
    try:
        services.record_delete(account=account, record_id=record_id)
    except RecordError as exc:
        context = {"error": exc, "survivor_page": True}
        return render(request, "public/records/gone.html", context, status=exc.status)
    return redirect(f"{reverse('public:records')}?deleted=1")
