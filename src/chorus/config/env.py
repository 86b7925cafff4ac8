"""Read every ``CHORUS_*`` variable once into one frozen, validated object.

Secrets may also come from ``CHORUS_<NAME>_FILE`` (container secrets). In production a missing
secret stops start-up with a message naming the variable to set; development works with no
configuration at all (SQLite under ``var/``, a random secret kept in ``var/``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("dev", "test", "production")
# The order of ristretto255 (docs/protocols/escrow.md §2): an OPRF key share is a scalar below it.
GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493
REPO_ROOT = Path(__file__).resolve().parents[3]


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


@dataclass(frozen=True, slots=True)
class ChorusConfig:
    env: str
    debug: bool
    secret_key: str
    # Earlier secret keys, still accepted while they are rotated out (signatures, and the
    # secrets sealed at rest: chorus.core.atrest); newest first.
    secret_key_fallbacks: tuple[str, ...]
    database_url: str
    allowed_hosts: tuple[str, ...]
    trusted_proxies: int
    var_dir: Path
    cache_url: str
    # Proof-of-work (ALTCHA v2, PBKDF2/SHA-256) and the no-JavaScript wait ticket.
    pow_cost: int
    pow_max_counter: int
    pow_ttl_seconds: int
    nojs_wait_seconds: int
    # Per-network limit on voices added: this many per window, 0 turns it off.
    rate_limit_voices: int
    rate_limit_window_seconds: int
    # Differential privacy (see docs/privacy/numbers.md).
    epsilon_wave: float
    epsilon_facets: float
    delta: float
    min_cell: int
    exit_url: str
    help_links: tuple[tuple[str, str], ...]
    # Escrow (docs/protocols/escrow.md). The threshold is the deployment's, 2..16.
    escrow_threshold: int
    # This deployment's OPRF key share (32-byte scalar, hex): the key server inside the app, or
    # the one `chorus keyserver` runs.
    oprf_key: bytes
    # A second key server run by another operator (optional): its URL, its public key (hex)
    # and the bearer token this app presents to it. `chorus keyserver` accepts that token.
    keyserver_url: str | None
    keyserver_public_key: bytes | None
    keyserver_token: str | None
    # OPRF evaluations allowed per account and per deployment per UTC day, at each key server.
    oprf_limit_account: int
    oprf_limit_deployment: int
    # Ed25519 private key (32-byte seed) that signs the time stamps of survivors' records
    # (docs/protocols/records.md).
    record_signing_key: bytes
    # Days a closed case is kept before `chorus cases-expire` erases it (reports.md §9).
    case_retention_days: int = 90

    @property
    def production(self) -> bool:
        return self.env == "production"


def _read(environ: Mapping[str, str], name: str) -> str | None:
    file_var = f"CHORUS_{name}_FILE"
    if environ.get(file_var):
        path = Path(environ[file_var])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{file_var}: cannot read {path}: {exc.strerror}") from exc
    value = environ.get(f"CHORUS_{name}")
    return value if value not in (None, "") else None


def _int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = _read(environ, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"CHORUS_{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"CHORUS_{name} must be at least {minimum}, got {value}")
    return value


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = _read(environ, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"CHORUS_{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"CHORUS_{name} must be greater than 0, got {raw!r}")
    return value


def _dev_secret(var_dir: Path) -> str:
    """A per-install random development secret, never a constant in the code."""
    path = var_dir / "dev-secret-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def _help_links(raw: str | None) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    links = []
    for item in raw.split(";"):
        if not item.strip():
            continue
        name, sep, url = item.partition("|")
        if not sep or not url.strip().startswith(("https://", "http://", "tel:")):
            raise ConfigError(
                f"CHORUS_HELP_LINKS entries must look like 'Name|https://…', got {item!r}"
            )
        links.append((name.strip(), url.strip()))
    return tuple(links)


def _hex_bytes(environ: Mapping[str, str], name: str, length: int) -> bytes | None:
    raw = _read(environ, name)
    if raw is None:
        return None
    try:
        value = bytes.fromhex(raw)
    except ValueError:
        raise ConfigError(f"CHORUS_{name} must be hexadecimal, got {raw!r}") from None
    if len(value) != length:
        raise ConfigError(f"CHORUS_{name} must be {length} bytes ({2 * length} hex digits)")
    return value


def _dev_oprf_key(var_dir: Path) -> bytes:
    """A per-install random development OPRF key share, kept in ``var/``."""
    path = var_dir / "dev-oprf-key"
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="utf-8").strip())
    var_dir.mkdir(parents=True, exist_ok=True)
    # A uniformly random scalar: 64 random bytes reduced mod L (no bias worth naming).
    value = (int.from_bytes(secrets.token_bytes(64), "little") % (GROUP_ORDER - 1) + 1).to_bytes(
        32, "little"
    )
    path.write_text(value.hex(), encoding="utf-8")
    path.chmod(0o600)
    return value


def _record_signing_key(environ: Mapping[str, str], *, production: bool, var_dir: Path) -> bytes:
    """The Ed25519 seed that signs record time stamps; a random one kept in ``var/`` in dev."""
    key = _hex_bytes(environ, "RECORD_SIGNING_KEY", 32)
    if key is not None:
        return key
    if production:
        raise ConfigError(
            "CHORUS_RECORD_SIGNING_KEY is not set: set it (or CHORUS_RECORD_SIGNING_KEY_FILE) "
            "to 32 random bytes in hex, e.g. the output of `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`"
        )
    path = var_dir / "dev-record-signing-key"
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="utf-8").strip())
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(32)
    path.write_text(value.hex(), encoding="utf-8")
    path.chmod(0o600)
    return value


def _escrow(environ: Mapping[str, str], *, production: bool, var_dir: Path) -> dict[str, Any]:
    """The escrow threshold, this deployment's OPRF key share and the optional second key
    server."""
    oprf_key = _hex_bytes(environ, "OPRF_KEY", 32)
    if oprf_key is None:
        if production:
            raise ConfigError(
                "CHORUS_OPRF_KEY is not set: set it (or CHORUS_OPRF_KEY_FILE) to this "
                "deployment's OPRF key share; `chorus keyserver --new-key` prints a fresh one"
            )
        oprf_key = _dev_oprf_key(var_dir)
    if not 0 < int.from_bytes(oprf_key, "little") < GROUP_ORDER:
        raise ConfigError("CHORUS_OPRF_KEY must be a non-zero scalar below the group order")
    keyserver_url = _read(environ, "KEYSERVER_URL")
    keyserver_public_key = _hex_bytes(environ, "KEYSERVER_PUBLIC_KEY", 32)
    keyserver_token = _read(environ, "KEYSERVER_TOKEN")
    if keyserver_url is not None:
        if not keyserver_url.startswith(("https://", "http://")):
            raise ConfigError("CHORUS_KEYSERVER_URL must start with https:// or http://")
        if keyserver_public_key is None or keyserver_token is None:
            raise ConfigError(
                "CHORUS_KEYSERVER_URL is set: also set CHORUS_KEYSERVER_PUBLIC_KEY (the second "
                "key server's public key, hex) and CHORUS_KEYSERVER_TOKEN (its bearer token)"
            )
    if keyserver_token is not None and len(keyserver_token) < 32:
        raise ConfigError("CHORUS_KEYSERVER_TOKEN must be at least 32 characters long")
    escrow_threshold = _int(environ, "ESCROW_THRESHOLD", 2, minimum=2)
    if escrow_threshold > 16:
        raise ConfigError(f"CHORUS_ESCROW_THRESHOLD must be at most 16, got {escrow_threshold}")

    return {
        "escrow_threshold": escrow_threshold,
        "oprf_key": oprf_key,
        "keyserver_url": keyserver_url,
        "keyserver_public_key": keyserver_public_key,
        "keyserver_token": keyserver_token,
        "oprf_limit_account": _int(environ, "OPRF_LIMIT_ACCOUNT", 20, minimum=1),
        "oprf_limit_deployment": _int(environ, "OPRF_LIMIT_DEPLOYMENT", 2000, minimum=1),
    }


def load(environ: Mapping[str, str] | None = None) -> ChorusConfig:
    environ = os.environ if environ is None else environ
    env = environ.get("CHORUS_ENV", "dev")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CHORUS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    production = env == "production"
    var_dir = Path(_read(environ, "VAR_DIR") or REPO_ROOT / "var")

    secret_key = _read(environ, "SECRET_KEY")
    if secret_key is None:
        if production:
            raise ConfigError(
                "CHORUS_SECRET_KEY is not set: set it (or CHORUS_SECRET_KEY_FILE) to a long "
                "random value, e.g. the output of `python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'`"
            )
        secret_key = _dev_secret(var_dir)
    elif production and len(secret_key) < 50:
        raise ConfigError("CHORUS_SECRET_KEY must be at least 50 characters long in production")

    database_url = _read(environ, "DATABASE_URL")
    if database_url is None:
        if production:
            raise ConfigError(
                "CHORUS_DATABASE_URL is not set: use postgres://user:password@host/dbname, "
                "or sqlite:////absolute/path/chorus.sqlite3 for a small install"
            )
        database_url = f"sqlite:///{var_dir / 'chorus.sqlite3'}"
    if not database_url.startswith(("sqlite:", "postgres://", "postgresql://")):
        raise ConfigError(
            "CHORUS_DATABASE_URL must start with sqlite:, postgres:// or postgresql://"
        )

    hosts_raw = _read(environ, "ALLOWED_HOSTS")
    if hosts_raw is None and production:
        raise ConfigError(
            "CHORUS_ALLOWED_HOSTS is not set: list the site's host names, comma separated"
        )
    allowed_hosts = tuple(
        h.strip() for h in (hosts_raw or "127.0.0.1,localhost,testserver").split(",") if h.strip()
    )

    epsilon_wave = _float(environ, "EPSILON_WAVE", 0.5)
    epsilon_facets = _float(environ, "EPSILON_FACETS", 0.5)
    if epsilon_wave + epsilon_facets > 1.0 + 1e-12:
        raise ConfigError(
            "CHORUS_EPSILON_WAVE + CHORUS_EPSILON_FACETS must not exceed 1 "
            f"(each voice's lifetime privacy loss), got {epsilon_wave + epsilon_facets:g}"
        )
    delta = _float(environ, "DELTA", 1e-7)
    if delta > 1e-7:
        raise ConfigError(f"CHORUS_DELTA must be at most 1e-7, got {delta:g}")

    escrow = _escrow(environ, production=production, var_dir=var_dir)

    return ChorusConfig(
        env=env,
        debug=(environ.get("CHORUS_DEBUG") == "1") and not production,
        secret_key=secret_key,
        secret_key_fallbacks=tuple(
            key.strip()
            for key in (_read(environ, "SECRET_KEY_FALLBACKS") or "").split(",")
            if key.strip()
        ),
        database_url=database_url,
        allowed_hosts=allowed_hosts,
        trusted_proxies=_int(environ, "TRUSTED_PROXIES", 0),
        var_dir=var_dir,
        cache_url=_read(environ, "CACHE_URL") or "locmem://",
        # Tests solve challenges in Python, so their defaults are easy; real ones are not.
        pow_cost=_int(environ, "POW_COST", 2 if env == "test" else 5000, minimum=1),
        pow_max_counter=_int(environ, "POW_MAX_COUNTER", 20 if env == "test" else 300, minimum=1),
        pow_ttl_seconds=_int(environ, "POW_TTL_SECONDS", 1200, minimum=10),
        nojs_wait_seconds=_int(environ, "NOJS_WAIT_SECONDS", 5, minimum=0),
        rate_limit_voices=_int(environ, "RATE_LIMIT_VOICES", 60),
        rate_limit_window_seconds=_int(environ, "RATE_LIMIT_WINDOW_SECONDS", 600, minimum=1),
        epsilon_wave=epsilon_wave,
        epsilon_facets=epsilon_facets,
        delta=delta,
        min_cell=_int(environ, "MIN_CELL", 11, minimum=11),
        exit_url=_read(environ, "EXIT_URL") or "https://www.bbc.co.uk/weather",
        help_links=_help_links(_read(environ, "HELP_LINKS")),
        **escrow,
        record_signing_key=_record_signing_key(environ, production=production, var_dir=var_dir),
        case_retention_days=_int(environ, "CASE_RETENTION_DAYS", 90, minimum=1),
    )
