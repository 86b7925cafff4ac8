"""`chorus.crypto` is pure: importing all of it pulls in no Django and no other Chorus package."""

from __future__ import annotations

import subprocess
import sys

_CHECK = """
import sys
import chorus.crypto
import chorus.crypto.interop
from chorus.crypto.hazmat import kdf, ristretto, xmd
assert "django" not in sys.modules, "django was imported"
others = sorted(
    name for name in sys.modules
    if name.startswith("chorus.") and not name.startswith("chorus.crypto")
)
assert not others, others
"""


def test_importing_crypto_loads_no_django_and_no_other_chorus_package():
    result = subprocess.run(
        [sys.executable, "-c", _CHECK], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_brief_one_liner_holds():
    result = subprocess.run(
        [sys.executable, "-c", "import chorus.crypto, sys; assert 'django' not in sys.modules"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
