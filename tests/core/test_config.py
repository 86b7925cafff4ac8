from pathlib import Path

import pytest

from chorus.config.env import ConfigError, load

PROD = {
    "CHORUS_ENV": "production",
    "CHORUS_SECRET_KEY": "x" * 60,
    "CHORUS_DATABASE_URL": "postgres://chorus@db/chorus",
    "CHORUS_ALLOWED_HOSTS": "chorus.example.org",
    "CHORUS_OPRF_KEY": "01" + "00" * 31,
    "CHORUS_RECORD_SIGNING_KEY": "02" * 32,
}


def test_development_needs_no_configuration(tmp_path: Path) -> None:
    config = load({"CHORUS_VAR_DIR": str(tmp_path)})
    assert config.env == "dev"
    assert config.database_url == f"sqlite:///{tmp_path / 'chorus.sqlite3'}"
    assert len(config.secret_key) >= 50
    assert load({"CHORUS_VAR_DIR": str(tmp_path)}).secret_key == config.secret_key


@pytest.mark.parametrize(
    "missing",
    [
        "CHORUS_SECRET_KEY",
        "CHORUS_DATABASE_URL",
        "CHORUS_ALLOWED_HOSTS",
        "CHORUS_OPRF_KEY",
        "CHORUS_RECORD_SIGNING_KEY",
    ],
)
def test_production_without_a_required_variable_names_it(missing: str) -> None:
    environ = {k: v for k, v in PROD.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load(environ)


def test_production_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s" * 64 + "\n")
    environ = {k: v for k, v in PROD.items() if k != "CHORUS_SECRET_KEY"}
    assert load({**environ, "CHORUS_SECRET_KEY_FILE": str(secret)}).secret_key == "s" * 64


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CHORUS_SECRET_KEY_FILE"):
        load({**PROD, "CHORUS_SECRET_KEY_FILE": str(tmp_path / "absent")})


def test_short_production_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 50"):
        load({**PROD, "CHORUS_SECRET_KEY": "short"})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CHORUS_ENV", "staging", "CHORUS_ENV must be one of"),
        ("CHORUS_POW_COST", "many", "whole number"),
        ("CHORUS_POW_COST", "0", "at least 1"),
        ("CHORUS_EPSILON_WAVE", "0.8", "must not exceed 1"),
        ("CHORUS_EPSILON_FACETS", "-1", "greater than 0"),
        ("CHORUS_EPSILON_FACETS", "lots", "must be a number"),
        ("CHORUS_DELTA", "0.001", "at most 1e-7"),
        ("CHORUS_MIN_CELL", "5", "at least 11"),
        ("CHORUS_DATABASE_URL", "mysql://x", "must start with"),
        ("CHORUS_OPRF_KEY", "zz", "hexadecimal"),
        ("CHORUS_OPRF_KEY", "0102", "32 bytes"),
        ("CHORUS_OPRF_KEY", "00" * 32, "non-zero scalar"),
        ("CHORUS_OPRF_KEY", "ff" * 32, "non-zero scalar"),
        ("CHORUS_ESCROW_THRESHOLD", "1", "at least 2"),
        ("CHORUS_ESCROW_THRESHOLD", "17", "at most 16"),
        ("CHORUS_KEYSERVER_URL", "ftp://ks", "must start with https://"),
        ("CHORUS_KEYSERVER_URL", "https://ks.example.org", "also set CHORUS_KEYSERVER_PUBLIC_KEY"),
        ("CHORUS_KEYSERVER_TOKEN", "short", "at least 32"),
        ("CHORUS_OPRF_LIMIT_ACCOUNT", "0", "at least 1"),
        ("CHORUS_HELP_LINKS", "Just a name", "Name|https"),
    ],
)
def test_invalid_values_are_refused_with_the_variable_named(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load({**PROD, name: value})


def test_help_links_are_parsed() -> None:
    config = load({**PROD, "CHORUS_HELP_LINKS": "Helpline|tel:+441234;Site|https://e.org;"})
    assert config.help_links == (("Helpline", "tel:+441234"), ("Site", "https://e.org"))
    assert config.production
    assert not config.debug


def test_development_oprf_key_is_random_per_install_and_kept(tmp_path: Path) -> None:
    first = load({"CHORUS_VAR_DIR": str(tmp_path / "a")}).oprf_key
    assert load({"CHORUS_VAR_DIR": str(tmp_path / "a")}).oprf_key == first
    assert load({"CHORUS_VAR_DIR": str(tmp_path / "b")}).oprf_key != first
    assert len(first) == 32


def test_second_key_server_needs_its_public_key_and_token() -> None:
    config = load(
        {
            **PROD,
            "CHORUS_KEYSERVER_URL": "https://ks.example.net",
            "CHORUS_KEYSERVER_PUBLIC_KEY": "ab" * 32,
            "CHORUS_KEYSERVER_TOKEN": "t" * 40,
        }
    )
    assert config.keyserver_url == "https://ks.example.net"
    assert config.keyserver_public_key == bytes.fromhex("ab" * 32)
    assert config.escrow_threshold == 2


def test_secret_key_fallbacks_are_a_comma_separated_list(tmp_path: Path) -> None:
    environ = {"CHORUS_VAR_DIR": str(tmp_path)}
    assert load(environ).secret_key_fallbacks == ()
    environ["CHORUS_SECRET_KEY_FALLBACKS"] = " older-key , oldest-key,, "
    assert load(environ).secret_key_fallbacks == ("older-key", "oldest-key")
