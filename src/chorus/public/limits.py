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
from contextlib import AbstractContextManager, contextmanager, suppress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chorus.accounts.errors import AccountNoMatchError
from chorus.core.errors import RateLimitedError

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
    return f"rl:{scope}:{request.network_key}"  # type: ignore[attr-defined]


def _reserve_key(key: str, n: int, *, limit: int, window: int, refusal: str) -> None:
    """Count ``n`` now, before the action, and refuse (counting nothing) past ``limit``: requests
    that arrive together each see the others' reservations, so a burst cannot pass together."""
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key, n)
    except ValueError:  # expired between add and incr
        cache.set(key, n, timeout=window)
        used = n
    if used > limit:
        _release_key(key, n)
        raise RateLimitedError(refusal)


def _release_key(key: str, n: int) -> None:
    with suppress(ValueError):  # the window ended meanwhile: nothing left to give back
        cache.decr(key, n)


def _reserve(request: HttpRequest, scope: str, n: int, *, limit: int, refusal: str) -> None:
    window = settings.CONFIG.rate_limit_window_seconds
    _reserve_key(_key(request, scope), n, limit=limit, window=window, refusal=refusal)


def _release(request: HttpRequest, scope: str, n: int) -> None:
    _release_key(_key(request, scope), n)


def _account_key(scope: str, account_id: int) -> str:
    """A per-account bucket, keyed by an HMAC of the account's id under the site's secret."""
    digest = salted_hmac("chorus/limits/account", str(account_id), algorithm="sha256")
    return f"rl:{scope}:{digest.hexdigest()[:32]}"


@contextmanager
def _account_slot(scope: str, account_id: int, *, limit: int, refusal: str) -> Iterator[None]:
    key = _account_key(scope, account_id)
    _reserve_key(key, 1, limit=limit, window=ACCOUNT_WINDOW_SECONDS, refusal=refusal)
    try:
        yield
    except BaseException:
        _release_key(key, 1)
        raise


def report_slot(*, account_id: int) -> AbstractContextManager[None]:
    """Sending a report (each one mails the organisation's members): counted if it is sent."""
    refusal = _(
        "You have sent many reports in the last hour. Please wait a while, then send this one "
        "again. Nothing was sent."
    )
    return _account_slot("report-account", account_id, limit=REPORTS_PER_HOUR, refusal=refusal)


def message_slot(*, account_id: int) -> AbstractContextManager[None]:
    """Writing a message on a case (members are told something changed): counted if stored."""
    refusal = _(
        "You have written many messages in the last hour. Please wait a while, then send this "
        "one again. Nothing was sent."
    )
    return _account_slot("message-account", account_id, limit=MESSAGES_PER_HOUR, refusal=refusal)


@contextmanager
def _slot(request: HttpRequest, scope: str, n: int, *, limit: int, refusal: str) -> Iterator[None]:
    """Reserve ``n`` for the block; give them back if it fails."""
    _reserve(request, scope, n, limit=limit, refusal=refusal)
    try:
        yield
    except BaseException:
        _release(request, scope, n)
        raise


def account_new_slot(request: HttpRequest) -> AbstractContextManager[None]:
    """Making a codename account: counted if the block succeeds."""
    refusal = _(
        "Several accounts were made from your network in the last few minutes. "
        "Please wait a few minutes, then try again. Nothing was saved."
    )
    return _slot(request, "account-new", 1, limit=ACCOUNTS_PER_WINDOW, refusal=refusal)


def oprf_slot(request: HttpRequest, *, n: int) -> AbstractContextManager[None]:
    """Evaluating ``n`` OPRF elements: counted if the block succeeds."""
    refusal = _(
        "Many names were checked from your network in the last few minutes. "
        "Please wait a few minutes, then try again. Nothing was saved."
    )
    return _slot(request, "oprf-network", n, limit=oprf_elements_per_window(), refusal=refusal)


@contextmanager
def signin_attempt(request: HttpRequest) -> Iterator[None]:
    """Trying a codename or recovery code: counted only if it does not match (the block raises
    AccountNoMatchError); a match, or any other error, gives the attempt back."""
    refusal = _(
        "Too many codenames that did not match were tried from your network. "
        "Please wait a few minutes, then try again."
    )
    _reserve(request, "account-signin", 1, limit=SIGNIN_FAILURES_PER_WINDOW, refusal=refusal)
    try:
        yield
    except AccountNoMatchError:
        raise
    except BaseException:
        _release(request, "account-signin", 1)
        raise
    _release(request, "account-signin", 1)
