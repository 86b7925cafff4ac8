"""Fixed-window limits keyed by the in-memory network hash; only the cache ever holds the key."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from chorus.core.errors import RateLimitedError


def rate_limit_hit(*, scope: str, network_key: str, limit: int, window: int) -> None:
    """Count one action for this network; raise once the window's limit is used up."""
    if limit <= 0:
        return
    key = f"rl:{scope}:{network_key}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > limit:
        raise RateLimitedError(
            _(
                "Many voices were added from your network in the last few minutes. "
                "Please try again in a little while. Nothing was counted."
            )
        )
