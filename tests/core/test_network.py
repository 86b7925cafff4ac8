import ipaddress

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from chorus.core import network
from chorus.core.network import client_address, network_key, network_of


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", "unknown"),
        ("", "unknown"),
    ],
)
def test_addresses_are_reduced_to_their_network(address: str, network: str) -> None:
    assert network_of(address) == network


def test_neighbouring_addresses_share_a_key_and_other_networks_do_not() -> None:
    a = network_key("203.0.113.1", window=600, now=1_000_000)
    b = network_key("203.0.113.254", window=600, now=1_000_100)
    c = network_key("203.0.114.1", window=600, now=1_000_100)
    assert a == b
    assert a != c
    assert "203.0.113" not in a


def test_the_key_changes_with_the_window() -> None:
    assert network_key("203.0.113.1", window=600, now=0) != network_key(
        "203.0.113.1", window=600, now=600
    )


def test_forwarded_address_is_used_only_behind_trusted_proxies() -> None:
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.5"}
    assert client_address(meta, trusted_proxies=0) == "10.0.0.1"
    assert client_address(meta, trusted_proxies=1) == "203.0.113.5"
    assert client_address(meta, trusted_proxies=2) == "198.51.100.1"
    assert client_address(meta, trusted_proxies=3) == "10.0.0.1"


def _slow_network_of(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


@given(
    st.one_of(
        st.ip_addresses(v=4).map(str),
        st.lists(
            st.one_of(st.integers(0, 300).map(str), st.text("0123456789\u0663", max_size=4)),
            min_size=3,
            max_size=5,
        ).map(".".join),
    )
)
def test_the_fast_ipv4_path_agrees_with_the_ipaddress_module(address: str) -> None:
    assert network_of(address) == _slow_network_of(address)


@pytest.mark.parametrize(
    "address", ["010.0.0.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", "\u0661.2.3.4"]
)
def test_odd_ipv4_forms_are_not_taken_by_the_fast_path(address: str) -> None:
    assert network_of(address) == _slow_network_of(address)


def test_workers_sharing_a_cache_hash_a_network_the_same_way() -> None:
    first = network_key("203.0.113.1", window=600, now=2_000_000)
    network._keys.clear()  # another worker process: nothing in its memory, the same cache
    assert network_key("203.0.113.9", window=600, now=2_000_100) == first


def test_without_the_cache_a_worker_keeps_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "get", lambda name: None)  # the cache lost it at once
    network._keys.clear()
    first = network_key("203.0.113.1", window=600, now=3_000_000)
    assert network_key("203.0.113.1", window=600, now=3_000_100) == first
    network._keys.clear()
    assert network_key("203.0.113.1", window=600, now=3_000_100) != first


def test_old_windows_keys_are_forgotten() -> None:
    for epoch in range(10):
        network_key("203.0.113.1", window=600, now=5_000_000 + 600 * epoch)
    assert len([k for k in network._keys if k[0] == 600]) <= 2
