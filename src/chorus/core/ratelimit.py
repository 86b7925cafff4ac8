"""Fixed-window limits keyed by the in-memory network hash; only the cache ever holds the key."""

from __future__ import annotations

from contextlib import suppress

from django.core.cache import cache
from django.utils.translation import gettext as _

from chorus.core.errors import RateLimitedError


def window_count(key: str, n: int = 1, *, window: int) -> int:
    """Add ``n`` to the cache counter ``key`` (made for ``window`` seconds if new); its total."""
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key, n))
    except ValueError:  # expired between add and incr
        cache.set(key, n, timeout=window)
        return n


def window_uncount(key: str, n: int = 1) -> None:
    """Give ``n`` back to the counter ``key`` (nothing if its window has ended meanwhile)."""
    with suppress(ValueError):
        cache.decr(key, n)


def limit_key(scope: str, bucket: str) -> str:
    """The cache key of one limit's counter for one bucket (a network's keyed hash, say)."""
    return f"rl:{scope}:{bucket}"


def rate_limit_hit(*, scope: str, network_key: str, limit: int, window: int) -> None:
    """Count one action for this network; raise once the window's limit is used up."""
    if limit <= 0:
        return
    if window_count(limit_key(scope, network_key), window=window) > limit:
        raise RateLimitedError(
            _(
                "Many voices were added from your network in the last few minutes. "
                "Please try again in a little while. Nothing was counted."
            )
        )


def rate_limit_undo(*, scope: str, network_key: str, limit: int) -> None:
    """Give back one action counted by ``rate_limit_hit`` (with the same scope and limit)."""
    if limit > 0:
        window_uncount(limit_key(scope, network_key))
