import pytest

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
