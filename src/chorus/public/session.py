"""Who is signed in on the survivor site: a codename account's id in the session, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from chorus.accounts.models import Account

SESSION_KEY = "chorus_account"


def session_account(request: HttpRequest) -> Account | None:
    """The signed-in survivor's account, or None."""
    account_id = request.session.get(SESSION_KEY)
    if account_id is None:
        return None
    account = Account.objects.filter(pk=account_id).first()
    if account is None:  # erased while signed in
        request.session.flush()
    return account


def session_sign_in(request: HttpRequest, account: Account) -> None:
    """A new session key on every sign-in (no fixation), holding only the account id."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk


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
