"""Text sealed at rest under SECRET_KEY, opened with it or a fallback; clear errors otherwise."""

from __future__ import annotations

import pytest
from django.test import override_settings

from chorus.core.atrest import PREFIX, SealedTextError, text_open, text_reseal, text_seal

KEY = "k" * 50
OLD = "o" * 50
ARGS = {"purpose": "totp-secret", "scope": "chorus/staff/v1/1"}


@override_settings(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[])
def test_text_round_trips_and_is_not_readable() -> None:
    sealed = text_seal(plaintext="JBSWY3DPEHPK3PXP", **ARGS)
    assert sealed.startswith(PREFIX)
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert len(sealed) <= 128  # the column's size
    assert text_open(sealed=sealed, **ARGS) == "JBSWY3DPEHPK3PXP"


def test_a_rotated_key_opens_with_the_old_one_listed_as_a_fallback() -> None:
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        sealed = text_seal(plaintext="secret", **ARGS)
    with override_settings(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[OLD]):
        assert text_open(sealed=sealed, **ARGS) == "secret"
        # New values are sealed with the current key only.
        again = text_seal(plaintext="secret", **ARGS)
    with override_settings(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[]):
        assert text_open(sealed=again, **ARGS) == "secret"
        with pytest.raises(SealedTextError, match="CHORUS_SECRET_KEY_FALLBACKS"):
            text_open(sealed=sealed, **ARGS)


@override_settings(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[])
@pytest.mark.parametrize(
    "sealed",
    ["", "JBSWY3DPEHPK3PXP", PREFIX, PREFIX + "not base64!", PREFIX + "AQ", PREFIX + "A" * 80],
)
def test_what_is_not_a_sealed_value_is_refused(sealed: str) -> None:
    with pytest.raises(SealedTextError):
        text_open(sealed=sealed, **ARGS)


def test_reseal_moves_a_value_from_a_fallback_to_the_current_key() -> None:
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        sealed = text_seal(plaintext="secret", **ARGS)
        assert text_reseal(sealed=sealed, **ARGS) is None  # the current key opens it
    with override_settings(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[OLD]):
        resealed = text_reseal(sealed=sealed, **ARGS)
    assert resealed is not None
    with override_settings(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[]):
        assert text_open(sealed=resealed, **ARGS) == "secret"
        with pytest.raises(SealedTextError):  # and a value no key opens is not resealed
            text_reseal(sealed=sealed, **ARGS)
