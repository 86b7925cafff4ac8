"""Per-network limits on the survivor site's costly actions, counted in the cache only.

The OPRF budget is per account (docs/protocols/escrow.md §14), and an account costs only a
proof-of-work a browser solves in a moment. These limits stop one machine from making accounts in
a loop to multiply that budget, or to spend the deployment's whole daily budget in seconds. The
network key is a keyed hash that changes every window, so they hold within one window only: a
botnet still meets only the deployment limit (docs/threat-model.md).

Only successes are counted, so malformed requests cannot lock a shared network out.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from chorus.core.errors import RateLimitedError

#: Codename accounts one network may make per rate-limit window.
ACCOUNTS_PER_WINDOW = 5
#: OPRF elements all accounts on one network may have evaluated per window, in accounts' daily
#: budgets (CHORUS_OPRF_LIMIT_ACCOUNT): two, so 40 by default, ample for one person naming
#: several people, and it grows with the account budget an operator sets.
OPRF_ACCOUNTS_PER_WINDOW = 2


def oprf_elements_per_window() -> int:
    return OPRF_ACCOUNTS_PER_WINDOW * int(settings.CONFIG.oprf_limit_account)


def _key(request: HttpRequest, scope: str) -> str:
    return f"rl:{scope}:{request.network_key}"  # type: ignore[attr-defined]


def _used(request: HttpRequest, scope: str) -> int:
    return int(cache.get(_key(request, scope), 0))


def _add(request: HttpRequest, scope: str, n: int) -> None:
    key, window = _key(request, scope), settings.CONFIG.rate_limit_window_seconds
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key, n)
    except ValueError:  # expired between add and incr
        cache.set(key, n, timeout=window)


def account_new_refuse_if_limited(request: HttpRequest) -> None:
    if _used(request, "account-new") >= ACCOUNTS_PER_WINDOW:
        raise RateLimitedError(
            _(
                "Several accounts were made from your network in the last few minutes. "
                "Please wait a few minutes, then try again. Nothing was saved."
            )
        )


def account_new_count(request: HttpRequest) -> None:
    _add(request, "account-new", 1)


def oprf_refuse_if_limited(request: HttpRequest, *, n: int) -> None:
    if _used(request, "oprf-network") + n > oprf_elements_per_window():
        raise RateLimitedError(
            _(
                "Many names were checked from your network in the last few minutes. "
                "Please wait a few minutes, then try again. Nothing was saved."
            )
        )


def oprf_count(request: HttpRequest, *, n: int) -> None:
    _add(request, "oprf-network", n)
