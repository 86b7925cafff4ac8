"""Limits on the survivor site's costly actions, per network and (reports, messages) per
account, counted in the cache only.

The OPRF budget is per account (docs/protocols/escrow.md §14), and an account costs only a
proof-of-work a browser solves in a moment. These limits stop one machine from making accounts in
a loop to multiply that budget, or to spend the deployment's whole daily budget in seconds. The
network key is a keyed hash that changes every window, so they hold within one window only: a
botnet still meets only the deployment limit (docs/threat-model.md).

Only successes are counted (for sign-in, only codes that did not match), so malformed requests
cannot lock a shared network out. Each action reserves its count before it runs and gives it
back if it fails, so that requests sent at the same moment cannot all pass the check together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chorus.accounts.errors import AccountNoMatchError
from chorus.core.errors import RateLimitedError
from chorus.core.ratelimit import limit_key, window_count, window_uncount

#: Codename accounts one network may make per rate-limit window.
ACCOUNTS_PER_WINDOW = 5
#: Codenames and recovery codes that did not match, per network and window.
SIGNIN_FAILURES_PER_WINDOW = 10
#: Reports one account may send, and messages it may write, per hour: each one tells the
#: organisation's members (by mail, when they gave an address), so a loop must not flood them.
REPORTS_PER_HOUR = 10
MESSAGES_PER_HOUR = 60
ACCOUNT_WINDOW_SECONDS = 3600
#: OPRF elements all accounts on one network may have evaluated per window, in accounts' daily
#: budgets (CHORUS_OPRF_LIMIT_ACCOUNT): two, so 40 by default, ample for one person naming
#: several people, and it grows with the account budget an operator sets.
OPRF_ACCOUNTS_PER_WINDOW = 2


def oprf_elements_per_window() -> int:
    return OPRF_ACCOUNTS_PER_WINDOW * int(settings.CONFIG.oprf_limit_account)


def _key(request: HttpRequest, scope: str) -> str:
    return limit_key(scope, request.network_key)  # type: ignore[attr-defined]


@contextmanager
def _held(
    key: str,
    n: int,
    *,
    limit: int,
    window: int,
    refusal: str,
    kept_on: tuple[type[BaseException], ...] = (),
    kept_on_success: bool = True,
) -> Iterator[None]:
    """Count ``n`` before the block, refusing (counting nothing) past ``limit``: requests that
    arrive together each see the others' counts, so a burst cannot pass the check together.
    The count is given back if the block raises (but ``kept_on``), or succeeds and
    ``kept_on_success`` is false."""
    if window_count(key, n, window=window) > limit:
        window_uncount(key, n)
        raise RateLimitedError(refusal)
    try:
        yield
    except kept_on:
        raise
    except BaseException:
        window_uncount(key, n)
        raise
    if not kept_on_success:
        window_uncount(key, n)


def _network_held(
    request: HttpRequest, scope: str, n: int, **held: Any
) -> AbstractContextManager[None]:
    window = settings.CONFIG.rate_limit_window_seconds
    return _held(_key(request, scope), n, window=window, **held)


def _account_held(
    scope: str, account_id: int, *, limit: int, refusal: str
) -> AbstractContextManager[None]:
    """A per-account bucket, keyed by an HMAC of the account's id under the site's secret."""
    digest = salted_hmac("chorus/limits/account", str(account_id), algorithm="sha256")
    key = limit_key(scope, digest.hexdigest()[:32])
    return _held(key, 1, limit=limit, window=ACCOUNT_WINDOW_SECONDS, refusal=refusal)


def report_slot(*, account_id: int) -> AbstractContextManager[None]:
    """Sending a report (each one mails the organisation's members): counted if it is sent."""
    refusal = _(
        "You have sent many reports in the last hour. Please wait a while, then send this one "
        "again. Nothing was sent."
    )
    return _account_held("report-account", account_id, limit=REPORTS_PER_HOUR, refusal=refusal)


def message_slot(*, account_id: int) -> AbstractContextManager[None]:
    """Writing a message on a case (members are told something changed): counted if stored."""
    refusal = _(
        "You have written many messages in the last hour. Please wait a while, then send this "
        "one again. Nothing was sent."
    )
    return _account_held("message-account", account_id, limit=MESSAGES_PER_HOUR, refusal=refusal)


def account_new_slot(request: HttpRequest) -> AbstractContextManager[None]:
    """Making a codename account: counted if the block succeeds."""
    refusal = _(
        "Several accounts were made from your network in the last few minutes. "
        "Please wait a few minutes, then try again. Nothing was saved."
    )
    return _network_held(request, "account-new", 1, limit=ACCOUNTS_PER_WINDOW, refusal=refusal)


def oprf_slot(request: HttpRequest, *, n: int) -> AbstractContextManager[None]:
    """Evaluating ``n`` OPRF elements: counted if the block succeeds."""
    refusal = _(
        "Many names were checked from your network in the last few minutes. "
        "Please wait a few minutes, then try again. Nothing was saved."
    )
    return _network_held(
        request, "oprf-network", n, limit=oprf_elements_per_window(), refusal=refusal
    )


def signin_attempt(request: HttpRequest) -> AbstractContextManager[None]:
    """Trying a codename or recovery code: counted only if it does not match (the block raises
    AccountNoMatchError); a match, or any other error, gives the attempt back."""
    refusal = _(
        "Too many codenames that did not match were tried from your network. "
        "Please wait a few minutes, then try again."
    )
    return _network_held(
        request,
        "account-signin",
        1,
        limit=SIGNIN_FAILURES_PER_WINDOW,
        refusal=refusal,
        kept_on=(AccountNoMatchError,),
        kept_on_success=False,
    )
