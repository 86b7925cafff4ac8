"""The survivor's side of reports "together" (docs/protocols/reports.md §7.6).

The survivor's browser (frontend/src/together/survivor.js) names the person through the OPRF,
derives the organisation's escrow index and entry key, boxes the report and the case key, and
seals its share to every member key; this server stores what it receives, held until t
survivors name the same person to the same organisation. It never sees who was named.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.keyserver.selectors import keyserver_public_keys
from chorus.orgs import selectors as org_selectors
from chorus.public.escrow import _regions
from chorus.public.session import account_required, session_account
from chorus.together import selectors, services
from chorus.together.errors import TogetherError, TogetherNotFoundError, TogetherTooLargeError

#: What the endpoint reads at most: the largest body in base64, the shares and the JSON around.
_BODY_LIMIT = settings.BODY_SIZE_ALLOWANCES["/reports/together"]
_REF = re.compile(r"[0-9a-f]{32}")


def _json_error(error: TogetherError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def together_dispatch(request: HttpRequest) -> HttpResponse:
    """/reports/together: the page (GET) and the JSON endpoint that stores a report (POST)."""
    if request.method == "POST":
        return together_send(request)
    return together_home(request)


@require_GET
@account_required
def together_home(request: HttpRequest) -> HttpResponse:
    """GET /reports/together: the survivor's together reports, held ones with "Withdraw"."""
    account = request.account  # type: ignore[attr-defined]
    context = {
        "reports": selectors.held_list(account=account),
        "withdrawn": request.GET.get("withdrawn") == "1",
        "sent": request.GET.get("sent") == "1",
        "survivor_page": True,
    }
    return render(request, "public/together/home.html", context)


def _setup(organisation: Any, record: int | None) -> dict[str, Any]:
    keys = org_selectors.organisation_public_keys(organisation=organisation)
    return {
        "org": {"slug": organisation.slug, "name": organisation.name},
        "ctx": selectors.escrow_ctx(organisation=organisation).decode("ascii"),
        "threshold": settings.CONFIG.escrow_threshold,
        "keyservers": [key.hex() for key in keyserver_public_keys()],
        "keys": [
            {
                "id": k.key_id,
                "suite": k.suite,
                "public_key": k.public_key.hex(),
                "display_name": k.display_name,
            }
            for k in keys
        ],
        "record_url": f"/records/{record}/envelope" if record is not None else None,
        "oprf_url": "/escrow/oprf",
        "send_url": "/reports/together",
        "max_body_bytes": _BODY_LIMIT,
        "signin_url": "/account/signin",
        "done_url": "/reports/together?sent=1",
    }


@require_GET
@account_required
def together_new(request: HttpRequest) -> HttpResponse:
    """GET /reports/together/new[?org=<slug>][&record=<id>]: ask for the organisation's short
    name (no list of organisations is served), then name the person and write (or attach a
    record); all of it locked in the browser."""
    slug = request.GET.get("org", "")
    record_text = request.GET.get("record", "")
    record = int(record_text) if record_text.isdigit() and len(record_text) <= 18 else None
    context: dict[str, Any] = {"survivor_page": True, "record": record}
    if not slug:
        return render(request, "public/together/choose.html", context)
    organisation = org_selectors.organisation_by_slug(slug=slug)
    if organisation is None:
        context.update({"unknown": True, "org_text": slug[:64]})
        return render(request, "public/together/choose.html", context, status=404)
    setup = _setup(organisation, record)
    context.update(
        {"setup": setup, "ready": bool(setup["keys"]), "org": organisation, "regions": _regions()}
    )
    return render(
        request, "public/together/new.html", context, status=200 if setup["keys"] else 503
    )


@require_POST
def together_send(request: HttpRequest) -> JsonResponse:
    """POST /reports/together: 201 {"case": "<case_ref hex>", "status": "held"}."""
    account = session_account(request)
    if account is None:
        message = _("You are not signed in. Sign in with your codename and try again.")
        return JsonResponse({"message": message, "code": "signed_out"}, status=403)
    raw = request.read(_BODY_LIMIT + 1)
    try:
        if len(raw) > _BODY_LIMIT:
            raise TogetherTooLargeError(_("This report is too large to send."))
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            message = _("The request is not valid JSON. Nothing was stored.")
            return JsonResponse({"message": message, "code": "invalid"}, status=400)
        held_input = services.held_input_parse(data)
        case = services.held_send(account=account, held_input=held_input)
    except TogetherError as exc:
        return _json_error(exc)
    return JsonResponse({"case": bytes(case.case_ref).hex(), "status": case.status}, status=201)


@require_POST
@account_required
def together_withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    """POST /reports/together/<ref>/withdraw (a plain form): delete a held report."""
    account = request.account  # type: ignore[attr-defined]
    try:
        if not _REF.fullmatch(ref):
            raise TogetherNotFoundError(
                _("There is no held report of yours that can be withdrawn here.")
            )
        services.held_withdraw(account=account, case_ref=bytes.fromhex(ref))
    except TogetherError as exc:
        return render(
            request,
            "public/together/gone.html",
            {"error": exc, "survivor_page": True},
            status=exc.status,
        )
    return redirect(f"{reverse('public:together')}?withdrawn=1")
