"""The advocates' workspace: thin views over the staff and escrow domains.

Sign-in is two steps, both required: password, then a TOTP code. Keys are made and matches are
opened in the advocate's browser (frontend/src/workspace/); these views only move public keys,
wrapped keys and sealed envelopes, and record what was done.
"""

from __future__ import annotations

import json
import re
from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.core.errors import ChorusError, RateLimitedError
from chorus.core.ratelimit import rate_limit_hit
from chorus.escrow import advocates
from chorus.escrow.models import Entry
from chorus.staff import services as staff_services
from chorus.staff.errors import StaffError
from chorus.staff.selectors import staff_enrolling, staff_is_operator, staff_totp_secret
from chorus.workspace.session import (
    SESSION_ENROLLING,
    SESSION_PENDING,
    SESSION_STAFF,
    advocate_required,
    advocate_required_json,
    session_advocate,
    session_begin,
    session_staff,
)

# Sign-in attempts (password or code): at most this many per username per SIGNIN_WINDOW, and per
# network per rate-limit window (CHORUS_RATE_LIMIT_WINDOW_SECONDS, 10 minutes by default): the
# network's keyed hash changes with every such window (chorus.core.network), so a per-network
# count cannot outlast it.
SIGNIN_LIMIT = 10
SIGNIN_WINDOW = 15 * 60
MAX_KEY_BODY = 8192


def _limit(request: HttpRequest, *, who: str) -> None:
    """Count one sign-in attempt; the per-user bucket keys on a keyed hash (HMAC under the
    site's secret), kept only in the cache: a password typed into the username box by mistake
    is not left there as an unsalted hash that anyone reading the cache could test guesses on."""
    user_key = salted_hmac(
        "chorus/workspace/signin-user", who.strip().lower(), algorithm="sha256"
    ).hexdigest()[:32]
    network_key: str = request.network_key  # type: ignore[attr-defined]
    try:
        for scope, key, window in (
            ("staff-signin", network_key, settings.CONFIG.rate_limit_window_seconds),
            ("staff-signin-user", user_key, SIGNIN_WINDOW),
        ):
            rate_limit_hit(scope=scope, network_key=key, limit=SIGNIN_LIMIT, window=window)
    except RateLimitedError:
        raise RateLimitedError(
            _("Too many sign-in attempts. Wait 15 minutes, then try again.")
        ) from None


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], error: ChorusError | None = None
) -> HttpResponse:
    context = {**context, "error": error}
    return render(request, template, context, status=error.status if error else 200)


def _json_error(error: ChorusError) -> JsonResponse:
    """The house error shape, as on the survivor site: {"message", "code", "extra"?}."""
    body: dict[str, Any] = {"message": error.message, "code": error.code}
    if error.extra:
        body["extra"] = error.extra
    return JsonResponse(body, status=error.status)


# --- sign-in ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if session_staff(request) is not None:
            return redirect("workspace:matches")
        return _page(request, "workspace/signin.html", {})
    username = request.POST.get("username", "")
    try:
        _limit(request, who=username)
        user_id = staff_services.staff_password_check(
            username=username, password=request.POST.get("password", "")
        )
    except ChorusError as exc:
        return _page(request, "workspace/signin.html", {"username": username[:150]}, exc)
    session_begin(request, key=SESSION_PENDING, user_id=user_id)
    return redirect("workspace:signin_code")


@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(SESSION_PENDING)
    if user_id is None:
        return redirect("workspace:signin")
    if request.method == "GET":
        return _page(request, "workspace/signin_code.html", {})
    try:
        _limit(request, who=f"#{user_id}")
        staff_services.staff_totp_sign_in(user_id=user_id, code=request.POST.get("code", ""))
    except ChorusError as exc:
        return _page(request, "workspace/signin_code.html", {}, exc)
    session_begin(request, key=SESSION_STAFF, user_id=user_id)
    return redirect("workspace:matches")


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    staff = session_staff(request)
    if staff is not None:
        staff_services.staff_signed_out(user_id=staff.user_id)
    request.session.flush()
    return redirect("workspace:signin")


# --- enrolment ----------------------------------------------------------------------------


def _unlogged(response: HttpResponse) -> HttpResponse:
    """Keep the path out of Django's "Bad Request: <path>" log line: here it holds the enrolment
    token, which still works after a mistyped password, so a log reader could enrol instead."""
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log's own flag
    return response


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    try:
        staff = staff_services.staff_enrolment_open(token=token)
    except StaffError as exc:
        return _unlogged(_page(request, "workspace/enrol_gone.html", {}, exc))
    context = {"username": staff.user.get_username()}
    if request.method == "GET":
        return _page(request, "workspace/enrol.html", context)
    password = request.POST.get("password", "")
    if password != request.POST.get("password_again", ""):
        error = StaffError(_("The two passwords are not the same. Type them again."))
        return _unlogged(_page(request, "workspace/enrol.html", context, error))
    try:
        staff = staff_services.staff_enrolment_password(token=token, password=password)
    except StaffError as exc:
        return _unlogged(_page(request, "workspace/enrol.html", context, exc))
    session_begin(request, key=SESSION_ENROLLING, user_id=staff.user_id)
    return redirect("workspace:enrol_code")


@require_http_methods(["GET", "POST"])
def enrol_code(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(SESSION_ENROLLING)
    staff = None if user_id is None else staff_enrolling(user_id=user_id)
    if staff is None:
        return redirect("workspace:signin")
    uri = staff_services.staff_totp_uri(staff=staff)
    qr = segno.make(uri, error="m").svg_inline(
        scale=5, light="#fff", title=_("QR code for your authenticator app"), svgclass="qr"
    )
    context = {"qr": mark_safe(qr), "secret": staff_totp_secret(staff=staff)}  # noqa: S308  (segno's SVG)
    if request.method == "GET":
        return _page(request, "workspace/enrol_code.html", context)
    try:
        _limit(request, who=f"#{user_id}")
        staff_services.staff_totp_confirm(user_id=staff.user_id, code=request.POST.get("code", ""))
    except ChorusError as exc:
        return _page(request, "workspace/enrol_code.html", context, exc)
    session_begin(request, key=SESSION_STAFF, user_id=staff.user_id)
    return redirect("workspace:operator" if staff_is_operator(staff) else "workspace:key")


# --- the advocate's key ---------------------------------------------------------------------


KEY_FIELDS = frozenset({"suite", "public_key", "wrapped_private_key"})
_LOWER_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def _hex_field(data: dict[str, Any], name: str) -> bytes:
    """Strict: lowercase hex digits only (bytes.fromhex would also take upper case and spaces)."""
    value = data.get(name)
    if not isinstance(value, str) or not _LOWER_HEX.fullmatch(value):
        raise ChorusError(
            _("%(name)s must be a hexadecimal string of lowercase hex digits.") % {"name": name}
        )
    return bytes.fromhex(value)


@require_http_methods(["GET", "POST"])
def key(request: HttpRequest) -> HttpResponse:
    staff = session_advocate(request)
    if request.method == "GET":
        if staff is None:
            other = session_staff(request)  # a member or an operator: their own pages
            if other is None:
                return redirect("workspace:signin")
            return redirect("workspace:operator" if staff_is_operator(other) else "workspace:orgs")
        active = advocates.advocate_key_active(advocate_id=staff.user_id)
        return render(
            request,
            "workspace/key.html",
            {"staff": staff, "active": active, "key_ctx": advocates.ADVOCATE_KEY_CTX.hex()},
        )
    if staff is None:
        return _json_error(advocates.MatchNotFoundError(_("Not found.")))
    try:
        if len(request.body) > MAX_KEY_BODY:
            raise ChorusError(_("The request is too large."))
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: not JSON here
            raise ChorusError(_("The request is not JSON.")) from None
        if not isinstance(data, dict):
            raise ChorusError(_("The request must be a JSON object."))
        if set(data) != KEY_FIELDS:
            raise ChorusError(
                _("The request must hold exactly these fields: %(fields)s.")
                % {"fields": ", ".join(sorted(KEY_FIELDS))}
            )
        suite = data.get("suite")
        if not isinstance(suite, int) or isinstance(suite, bool):
            raise ChorusError(_("suite must be a number: 1 or 2."))
        created = advocates.advocate_key_create(
            advocate_id=staff.user_id,
            suite=suite,
            public_key=_hex_field(data, "public_key"),
            wrapped_private_key=_hex_field(data, "wrapped_private_key"),
        )
    except ChorusError as exc:
        return _json_error(exc)
    return JsonResponse({"key": created.pk, "suite": created.suite}, status=201)


# --- matches --------------------------------------------------------------------------------


@require_GET
@advocate_required
def matches(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    summaries = advocates.matches_list(advocate_id=staff.user_id)
    labels = dict(Entry.Outreach.choices)
    rows = [
        {
            "id": s.match_id,
            "found_day": s.found_day,
            "entries": s.entries,
            "outreach": [(labels.get(k, k), n) for k, n in sorted(s.outreach.items())],
        }
        for s in summaries
    ]
    active = advocates.advocate_key_active(advocate_id=staff.user_id)
    return render(
        request, "workspace/matches.html", {"staff": staff, "matches": rows, "active": active}
    )


@require_GET
@advocate_required
def match(request: HttpRequest, match_id: int) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    try:
        found, entries = advocates.match_entries(advocate_id=staff.user_id, match_id=match_id)
    except ChorusError as exc:
        return _page(request, "workspace/not_found.html", {"staff": staff}, exc)
    return render(
        request,
        "workspace/match.html",
        {
            "staff": staff,
            "match": found,
            "entries": entries,
            "choices": [c for c in Entry.Outreach.choices if c[0]],
        },
    )


@require_GET
@advocate_required_json
def match_envelopes(request: HttpRequest, match_id: int) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    try:
        opened = advocates.match_open(advocate_id=staff.user_id, match_id=match_id)
    except ChorusError as exc:
        return _json_error(exc)
    return JsonResponse(
        {
            "match": opened.match.pk,
            "index": bytes(opened.match.index).hex(),
            "ctx": advocates.ESCROW_CTX.hex(),
            "key_ctx": advocates.ADVOCATE_KEY_CTX.hex(),
            "suite": opened.key.suite,
            "threshold": opened.threshold,
            "wrapped_private_key": bytes(opened.key.wrapped_private_key).hex(),
            "entries": [{"id": entry_id, "sealed": s.hex()} for entry_id, s in opened.envelopes],
        },
        headers={"Cache-Control": "no-store"},
    )


@require_POST
@advocate_required
def outreach(request: HttpRequest, entry_id: int) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    try:
        entry = advocates.entry_outreach_record(
            advocate_id=staff.user_id,
            entry_id=entry_id,
            outreach=request.POST.get("outreach", ""),
        )
    except ChorusError as exc:
        return _page(request, "workspace/not_found.html", {"staff": staff}, exc)
    return redirect("workspace:match", match_id=entry.match_id)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A workspace form or fetch whose CSRF check failed (chorus.config.csrf sends it here):
    JSON for a page's fetch, else the workspace's own page; nothing was changed either way."""
    if request.content_type == "application/json":
        message = _("This page has expired. Please reload it and try again. Nothing was saved.")
        return JsonResponse({"message": message, "code": "csrf_failed"}, status=403)
    return render(request, "workspace/expired.html", {"staff": None}, status=403)
