"""Fixtures for tests/crypto. Nothing here imports Django: these tests need no database.

The repository's tests/conftest.py still loads (pytest reads every conftest on the path), but
no test in this directory touches what it sets up; tests/crypto/test_isolation.py checks that
`chorus.crypto` itself never imports Django.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).parent / "vectors"


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def unhex(value: str) -> bytes:
    return bytes.fromhex(value)


@pytest.fixture(scope="session")
def rfc9497() -> Any:
    return load_vectors("rfc9497-ristretto255-sha512.json")


@pytest.fixture(scope="session")
def rfc9180() -> Any:
    return load_vectors("rfc9180-x25519-sha256-chacha20.json")
