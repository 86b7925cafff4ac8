"""Supporters of a case: the reporter invites, changes and removes them; the invited person
accepts on /support/<i hex> (docs/protocols/reports.md §8, §11.2).

The link's secret is in its fragment, which the browser never sends; these views see only the
invitation id and boxes they cannot open (frontend/src/support/).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.accounts.models import Account
from chorus.public.session import session_account
from chorus.reports import access, support
from chorus.reports.errors import ReportError, ReportInvalidError, ReportTooLargeError

#: What a supporter endpoint reads at most: the largest body is about 150 bytes.
_BODY_LIMIT = 2048
_HEX_REF = re.compile(r"[0-9a-f]{32}")


def _json_error(error: ReportError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def _signed_out() -> JsonResponse:
    message = _("You are not signed in. Sign in with your codename and try again.")
    return JsonResponse({"message": message, "code": "signed_out"}, status=403)


def _body(request: HttpRequest) -> Any:
    raw = request.read(_BODY_LIMIT + 1)
    if len(raw) > _BODY_LIMIT:
        raise ReportTooLargeError(_("The request is too large. Nothing was stored."))
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ReportInvalidError(_("The request is not valid JSON. Nothing was stored.")) from None


def _unlogged(response: HttpResponse) -> HttpResponse:
    """Keep the path out of Django's "Bad Request: <path>" log line: under /support/ it holds
    the invitation id, which still works after a refused accept (as in chorus.workspace.orgs)."""
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log's own flag
    return response


def _invitation_view(
    *methods: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like require_http_methods, for views with an invitation id in their path: no 4xx of theirs
    (a wrong method included) is written to the log with that path."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return _unlogged(HttpResponseNotAllowed(methods))
            response = view(request, *args, **kwargs)
            return _unlogged(response) if response.status_code >= 400 else response

        return wrapped

    return decorate


def _case_ref(text: str) -> bytes:
    """A case reference from the path; anything else is the uniform not-found."""
    if not _HEX_REF.fullmatch(text):
        raise access.survivor_case_not_found()
    return bytes.fromhex(text)


def _json_view(request: HttpRequest, act: Any) -> JsonResponse:
    account = session_account(request)
    if account is None:
        return _signed_out()
    try:
        return act(account)  # type: ignore[no-any-return]
    except ReportError as exc:
        return _json_error(exc)


@require_POST
def supporters_invite(request: HttpRequest, ref: str) -> JsonResponse:
    """POST /reports/cases/<ref>/supporters: 201 {"supporter": id} (the reporter only)."""

    def act(account: Account) -> JsonResponse:
        case_ref = _case_ref(ref)
        invite_input = support.invite_input_parse(_body(request))
        supporter = support.supporter_invite(
            account=account, case_ref=case_ref, invite_input=invite_input
        )
        return JsonResponse({"supporter": supporter.pk}, status=201)

    return _json_view(request, act)


@require_POST
def supporter_change(request: HttpRequest, ref: str, supporter_id: int) -> JsonResponse:
    """POST /reports/cases/<ref>/supporters/<id> {"can_write": bool} or {"remove": true}: 200."""

    def act(account: Account) -> JsonResponse:
        case_ref = _case_ref(ref)
        change = support.supporter_change_parse(_body(request))
        supporter = support.supporter_change(
            account=account, case_ref=case_ref, supporter_id=supporter_id, change=change
        )
        return JsonResponse(
            {
                "supporter": supporter.pk,
                "can_write": supporter.can_write,
                "removed": supporter.removed is not None,
            }
        )

    return _json_view(request, act)


@_invitation_view("GET", "HEAD")
def invite_page(request: HttpRequest, invite: str) -> HttpResponse:
    """GET /support/<i hex>: sign in or make a codename first, then accept in the browser."""
    context: dict[str, Any] = {"survivor_page": True}
    try:
        support.invite_read(invite_id=support.invite_id_parse(invite))
    except ReportError as exc:
        context["error"] = exc
        return render(request, "public/support/invalid.html", context, status=exc.status)
    account = session_account(request)
    context["signed_in"] = account is not None
    context["setup"] = {
        "invite": invite,
        "signed_in": account is not None,
        "invite_url": reverse("public:support_invite", args=[invite]),
        "accept_url": reverse("public:support_accept", args=[invite]),
        "signin_url": reverse("public:account_signin"),
        "cases_url": "/cases/",
    }
    return render(request, "public/support/accept.html", context)


@_invitation_view("GET", "HEAD")
def invite_read(request: HttpRequest, invite: str) -> JsonResponse:
    """GET /support/<i hex>/invite with the header X-Chorus-Token (the accept token, base64):
    {"case", "org": {"slug", "name"}, "box"} or invite_invalid."""

    def act(account: Account) -> JsonResponse:
        invite_id = support.invite_id_parse(invite)
        token = support.token_parse(request.headers.get("X-Chorus-Token"))
        supporter = support.invite_open(invite_id=invite_id, token=token)
        case = supporter.case
        return JsonResponse(
            {
                "case": bytes(case.case_ref).hex(),
                "org": {"slug": case.organisation.slug, "name": case.organisation.name},
                "box": base64.b64encode(bytes(supporter.box)).decode("ascii"),
            }
        )

    return _json_view(request, act)


@_invitation_view("POST")
def invite_accept(request: HttpRequest, invite: str) -> JsonResponse:
    """POST /support/<i hex>/accept {"box", "token"}: 200 {"case"}; spends the link."""

    def act(account: Account) -> JsonResponse:
        invite_id = support.invite_id_parse(invite)
        accept_input = support.accept_input_parse(_body(request))
        case = support.supporter_accept(
            account=account, invite_id=invite_id, accept_input=accept_input
        )
        return JsonResponse({"case": bytes(case.case_ref).hex()})

    return _json_view(request, act)
