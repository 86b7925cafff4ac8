"""The survivor's escrow pages: list and withdraw entries, name a person.

Naming a person happens in the browser (frontend/src/escrow/flow.js): the identifiers and the
contact details never reach this server. It receives indexes and sealed envelopes only.
"""

from __future__ import annotations

import json
from typing import Any

import phonenumbers
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from phonenumbers.geocoder import _region_display_name

from chorus.escrow import selectors, services
from chorus.escrow.errors import EscrowError
from chorus.keyserver.selectors import keyserver_public_keys
from chorus.public.session import account_required, session_account

#: The escrow's OPRF scope (docs/protocols/escrow.md §4): one deployment, one group of indexes.
ESCROW_CTX = "deployment"


def _regions() -> list[tuple[str, str]]:
    regions = (
        (code, _region_display_name(code, "en") or code) for code in phonenumbers.SUPPORTED_REGIONS
    )
    return sorted(regions, key=lambda item: item[1])


@require_GET
@account_required
def escrow_home(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    context = {
        "entries": selectors.entry_list(account=account),
        "withdrawn": request.GET.get("withdrawn") == "1",
        "survivor_page": True,
    }
    return render(request, "public/escrow/home.html", context)


@require_GET
@account_required
def escrow_new(request: HttpRequest) -> HttpResponse:
    keys = selectors.advocate_keys_active()
    setup: dict[str, Any] = {
        "ctx": ESCROW_CTX,
        "threshold": settings.CONFIG.escrow_threshold,
        "keyservers": [key.hex() for key in keyserver_public_keys()],
        "advocate_keys": [
            {"id": key.pk, "suite": key.suite, "public_key": bytes(key.public_key).hex()}
            for key in keys
        ],
        "oprf_url": "/escrow/oprf",
        "entries_url": "/escrow/entries",
        # The page checks a submission's size against the route's own allowance before sending.
        "max_body_bytes": settings.BODY_SIZE_ALLOWANCES["/escrow/entries"],
        "signin_url": "/account/signin",
        "done_url": "/escrow",
    }
    context = {
        "ready": bool(keys),
        "setup": setup,
        "regions": _regions(),
        "survivor_page": True,
    }
    return render(request, "public/escrow/new.html", context, status=200 if keys else 503)


def _json_error(error: EscrowError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


@require_POST
def escrow_entries(request: HttpRequest) -> JsonResponse:
    account = session_account(request)
    if account is None:
        message = _("You are not signed in. Sign in with your codename and try again.")
        return JsonResponse({"message": message, "code": "signed_out"}, status=403)
    try:
        # Not request.body: that applies the site-wide 16 KiB limit, and this route has its own
        # (settings.BODY_SIZE_ALLOWANCES, checked on Content-Length before the view runs).
        data = json.loads(request.read(settings.BODY_SIZE_ALLOWANCES[request.path]))
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: not JSON here
        message = _("The request is not valid JSON. Nothing was stored.")
        return JsonResponse({"message": message, "code": "invalid"}, status=400)
    try:
        entries = services.entries_parse(data)
        stored = services.entries_submit(account=account, entries=entries)
    except EscrowError as exc:
        return _json_error(exc)
    return JsonResponse({"stored": len(stored)}, status=201)


@require_POST
@account_required
def escrow_withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    try:
        services.entry_withdraw(account=account, entry_id=entry_id)
    except EscrowError as exc:
        return render(
            request,
            "public/escrow/gone.html",
            {"error": exc, "survivor_page": True},
            status=exc.status,
        )
    return redirect(f"{reverse('public:escrow')}?withdrawn=1")
