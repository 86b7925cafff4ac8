"""Production settings pass Django's deployment checklist and refuse to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "CHORUS_ENV": "production",
    "CHORUS_SECRET_KEY": "a-long-random-production-secret-" + "q7Zx" * 10,
    "CHORUS_DATABASE_URL": "postgres://chorus@127.0.0.1:5432/chorus",
    "CHORUS_ALLOWED_HOSTS": "chorus.example.org",
    "CHORUS_OPRF_KEY": "07" + "00" * 31,
    "CHORUS_RECORD_SIGNING_KEY": "0b" * 32,
}


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DJANGO_"))}
    return {**base, **extra}


def test_check_deploy_reports_nothing_under_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT, env=_env(**PRODUCTION), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_without_a_secret_stops_and_names_the_variable() -> None:
    env = _env(**{k: v for k, v in PRODUCTION.items() if k != "CHORUS_SECRET_KEY"})
    result = subprocess.run(
        [sys.executable, "-m", "chorus.cli.main", "serve", "--port", "1"],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "CHORUS_SECRET_KEY is not set" in result.stderr
