"""Who is signed in on the survivor site: a codename account's id in the session, nothing else."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from chorus.accounts.models import Account

SESSION_KEY = "chorus_account"


#: Which codename opened the session: a digest of the account's current lookup. Recovery gives
#: the account a new codename (a new lookup), and every session the old one opened then ends.
SESSION_CODENAME = "chorus_account_codename"
_CODENAME_LABEL = b"chorus/session/codename"


def session_codename_tag(account: Account) -> str:
    """What a session stores under SESSION_CODENAME (tests that plant a session use it too)."""
    return hashlib.sha256(_CODENAME_LABEL + bytes(account.lookup)).hexdigest()[:32]


def session_account(request: HttpRequest) -> Account | None:
    """The signed-in survivor's account, or None (also once its codename has been replaced)."""
    account_id = request.session.get(SESSION_KEY)
    if account_id is None:
        return None
    account = Account.objects.filter(pk=account_id).first()
    tag = request.session.get(SESSION_CODENAME)
    if (
        account is None  # erased while signed in
        or not isinstance(tag, str)
        or not hmac.compare_digest(tag, session_codename_tag(account))  # recovered since
    ):
        request.session.flush()
        return None
    return account


def session_sign_in(request: HttpRequest, account: Account) -> None:
    """A new session key on every sign-in (no fixation), holding only the account id and which
    codename opened it."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    request.session[SESSION_CODENAME] = session_codename_tag(account)


def session_sign_out(request: HttpRequest) -> None:
    request.session.flush()


def account_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Pages of a signed-in survivor: others are sent to the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = session_account(request)
        if account is None:
            return redirect("public:account_signin")
        request.account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped
