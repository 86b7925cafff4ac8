"""Per-network limits on the survivor site's costly actions, counted in the cache only.

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
from django.utils.translation import gettext as _

from chorus.accounts.errors import AccountNoMatchError
from chorus.core.errors import RateLimitedError

#: Codename accounts one network may make per rate-limit window.
ACCOUNTS_PER_WINDOW = 5
#: Codenames and recovery codes that did not match, per network and window.
SIGNIN_FAILURES_PER_WINDOW = 10
#: OPRF elements all accounts on one network may have evaluated per window, in accounts' daily
#: budgets (CHORUS_OPRF_LIMIT_ACCOUNT): two, so 40 by default, ample for one person naming
#: several people, and it grows with the account budget an operator sets.
OPRF_ACCOUNTS_PER_WINDOW = 2


def oprf_elements_per_window() -> int:
    return OPRF_ACCOUNTS_PER_WINDOW * int(settings.CONFIG.oprf_limit_account)


def _key(request: HttpRequest, scope: str) -> str:
    return f"rl:{scope}:{request.network_key}"  # type: ignore[attr-defined]


def _reserve(request: HttpRequest, scope: str, n: int, *, limit: int, refusal: str) -> None:
    """Count ``n`` now, before the action, and refuse (counting nothing) past ``limit``: requests
    that arrive together each see the others' reservations, so a burst cannot pass together."""
    key, window = _key(request, scope), settings.CONFIG.rate_limit_window_seconds
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key, n)
    except ValueError:  # expired between add and incr
        cache.set(key, n, timeout=window)
        used = n
    if used > limit:
        _release(request, scope, n)
        raise RateLimitedError(refusal)


def _release(request: HttpRequest, scope: str, n: int) -> None:
    with suppress(ValueError):  # the window ended meanwhile: nothing left to give back
        cache.decr(_key(request, scope), n)


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
