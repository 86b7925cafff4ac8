"""The client's network, as a keyed hash under a key that lives only in the cache.

Rate limits work per network (an IPv4 /24 or an IPv6 /48), not per address, so a person behind
a shared connection is not singled out and a single host cannot dodge the limit by rotating its
last octet. The hash key is random per window and never written to the database, a file or a
log: the first worker to need it puts it in the cache (where the rate limits' counters are), the
others read it there, so that every worker sharing a cache (CHORUS_CACHE_URL) hashes a network
the same way and its limits hold across workers. It expires from the cache after two windows;
once it has, nobody (including the operator with a memory dump of a later window) can test
whether a given address was seen.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time

from django.core.cache import cache

_keys: dict[tuple[int, int], bytes] = {}  # (window, epoch): this process's copy of the keys
_keys_lock = threading.Lock()
IPV4_PREFIX = 24
IPV6_PREFIX = 48


def network_of(address: str) -> str:
    """The /24 or /48 network an address belongs to; an unparseable address maps to 'unknown'."""
    address = address.strip()
    octets = address.split(".")
    # The common case without the ipaddress module (a third of this function's cost per voice):
    # four decimal octets, no leading zeros, each at most 255.
    if len(octets) == 4 and all(
        o.isascii() and o.isdigit() and (o == "0" or o[0] != "0") and int(o) <= 255 for o in octets
    ):
        return f"{octets[0]}.{octets[1]}.{octets[2]}.0/{IPV4_PREFIX}"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def client_address(meta: dict[str, str], *, trusted_proxies: int) -> str:
    """The address of the client, taking the n-th entry from the right of X-Forwarded-For."""
    if trusted_proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return meta.get("REMOTE_ADDR", "")


def _window_key(epoch: int, *, window: int) -> bytes:
    """The hash key of one window: the cache's if a worker made it, else a new one put there
    (``add`` keeps the first if two workers race). Kept in this process until two windows on."""
    key = _keys.get((window, epoch))
    if key is not None:
        return key
    name = f"chorus:network-key:{window}:{epoch}"
    cache.add(name, secrets.token_bytes(32), timeout=2 * window)
    shared = cache.get(name)
    # A cache that lost it at once (evicted, or a dummy cache): this process's own, which only
    # makes the limits per process, as they were before the key was shared.
    key = shared if isinstance(shared, bytes) and len(shared) == 32 else secrets.token_bytes(32)
    with _keys_lock:
        key = _keys.setdefault((window, epoch), key)
        for old in [k for k in _keys if k[0] == window and k[1] < epoch - 1]:
            del _keys[old]
    return key


def network_key(address: str, *, window: int, now: float | None = None) -> str:
    """A short keyed hash of the client's network for the current window of ``window`` seconds."""
    epoch = int((time.time() if now is None else now) // window)
    digest = hmac.new(
        _window_key(epoch, window=window),
        f"{epoch}|{network_of(address)}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"{epoch}:{digest[:32]}"
