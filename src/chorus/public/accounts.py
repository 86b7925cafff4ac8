"""Codename account pages and their JSON endpoints: thin views over chorus.accounts.

The browser derives every key (frontend/src/account/); these views only carry hex strings to
the services and back. Wrong codenames are counted per network in the cache, never stored.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.accounts import services
from chorus.accounts.errors import AccountNoMatchError
from chorus.core import pow
from chorus.core.errors import ChorusError
from chorus.public import limits
from chorus.public.session import account_required, session_sign_in, session_sign_out

#: Largest JSON body an account endpoint reads; the biggest real one is about 1 KB.
MAX_BODY_BYTES = 8192
#: Wrong codenames or recovery codes one network may send per rate-limit window.


class _BadRequestError(ChorusError):
    code = "bad_request"


class _TooLargeError(ChorusError):
    status = 413
    code = "too_large"


def _error(exc: ChorusError) -> JsonResponse:
    return JsonResponse({"message": exc.message, "code": exc.code}, status=exc.status)


def _body(request: HttpRequest, fields: tuple[str, ...]) -> dict[str, str]:
    """The JSON object of a request, holding exactly `fields`, each a string."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise _TooLargeError(_("The request is too large. Nothing was saved."))
    try:
        data: Any = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: not JSON here
        raise _BadRequestError(_("The request is not valid JSON. Nothing was saved.")) from None
    if not isinstance(data, dict) or set(data) != set(fields):
        raise _BadRequestError(
            _("The request must hold exactly these fields: %(fields)s. Nothing was saved.")
            % {"fields": ", ".join(fields)}
        )
    if not all(isinstance(data[f], str) for f in fields):
        raise _BadRequestError(_("Every field must be a string. Nothing was saved."))
    return data


def _hex(data: dict[str, str], field: str) -> bytes:
    value = data[field]
    try:
        if value != value.lower():
            raise ValueError
        return binascii.unhexlify(value)
    except (ValueError, binascii.Error):
        raise _BadRequestError(
            _("The field %(field)s must be lowercase hex. Nothing was saved.") % {"field": field}
        ) from None


def _page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, f"public/account/{template}", {"survivor_page": True, **context})


@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, "new.html")
    try:
        data = _body(
            request, ("auth", "recovery_auth", "sid_wrapped", "sid_wrapped_recovery", "altcha")
        )
        keys = {f: _hex(data, f) for f in data if f != "altcha"}
        with limits.account_new_slot(request):
            proof = pow.proof_check(payload=data["altcha"])
            account = services.account_create(proof=proof, **keys)
    except ChorusError as exc:
        return _error(exc)
    session_sign_in(request, account)
    return JsonResponse({"next": reverse("public:account_home")}, status=201)


@require_http_methods(["GET", "POST"])
def account_signin(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, "signin.html")
    try:
        auth = _hex(_body(request, ("auth",)), "auth")
        with limits.signin_attempt(request):
            account = services.account_authenticate(auth=auth)
    except ChorusError as exc:
        return _error(exc)
    session_sign_in(request, account)
    return JsonResponse(
        {"sid_wrapped": bytes(account.sid_wrapped).hex(), "next": reverse("public:account_home")}
    )


@require_http_methods(["GET", "POST"])
def account_recover(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: a new codename for the account of a recovery code, then signed in."""
    if request.method == "GET":
        return _page(request, "recover.html")
    try:
        data = _body(request, ("recovery_auth", "auth", "sid_wrapped"))
        keys = {f: _hex(data, f) for f in data}
        with limits.signin_attempt(request):
            account = services.account_rekey(**keys)
    except ChorusError as exc:
        return _error(exc)
    session_sign_in(request, account)
    return JsonResponse({"next": reverse("public:account_home")})


@require_POST
def account_recover_check(request: HttpRequest) -> HttpResponse:
    """A recovery code's locked sid, so the browser can open it before choosing a new codename."""
    try:
        recovery_auth = _hex(_body(request, ("recovery_auth",)), "recovery_auth")
        with limits.signin_attempt(request):
            account = services.account_recovery_authenticate(recovery_auth=recovery_auth)
    except AccountNoMatchError:
        return _error(AccountNoMatchError(_("That recovery code did not match an account.")))
    except ChorusError as exc:
        return _error(exc)
    return JsonResponse({"sid_wrapped": bytes(account.sid_wrapped_recovery).hex()})


@require_POST
def account_signout(request: HttpRequest) -> HttpResponse:
    session_sign_out(request)
    return redirect("public:home")


@require_GET
@account_required
def account_home(request: HttpRequest) -> HttpResponse:
    return _page(request, "home.html")
