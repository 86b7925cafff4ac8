"""TOTP secrets are sealed at rest (staff migration 0002 seals existing ones, and opens them
again when reversed); a secret key rotated without its fallback refuses to open them."""

from __future__ import annotations

import pyotp
import pytest
from django.conf import settings
from django.test import Client, override_settings

from chorus.core.atrest import SealedTextError
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.migrate import migrate
from tests.workspace.helpers import PASSWORD, advocate_enrolled, fresh_code


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_secrets_and_reversing_it_opens_them() -> None:
    secret = pyotp.random_base32()
    try:
        apps = migrate(("staff", "0001_initial"))
        user = apps.get_model("auth", "User").objects.create(username="old-timer")
        staff_model = apps.get_model("staff", "StaffMember")
        staff_model.objects.create(user_id=user.pk, totp_secret=secret)
        staff_model.objects.create(
            user_id=apps.get_model("auth", "User").objects.create(username="new").pk
        )

        migrate(("staff", "0002_totp_secret_sealed"))
        sealed = StaffMember.objects.get(user_id=user.pk)
        assert secret not in sealed.totp_secret_sealed
        assert staff_totp_secret(staff=sealed) == secret
        assert StaffMember.objects.get(user__username="new").totp_secret_sealed == ""

        apps = migrate(("staff", "0001_initial"))
        rows = apps.get_model("staff", "StaffMember").objects.order_by("user_id")
        assert [row.totp_secret for row in rows] == [secret, ""]
    finally:
        migrate(("staff", "0002_totp_secret_sealed"))


@pytest.mark.django_db
def test_a_sealed_secret_does_not_open_in_another_row() -> None:
    alice, bob = advocate_enrolled("alice"), advocate_enrolled("bob")
    bob.totp_secret_sealed = alice.totp_secret_sealed
    with pytest.raises(SealedTextError):
        staff_totp_secret(staff=bob)


@pytest.mark.django_db
def test_sign_in_survives_a_secret_key_rotation_with_the_old_key_as_fallback() -> None:
    alice = advocate_enrolled("alice")
    old = settings.SECRET_KEY
    secret = staff_totp_secret(staff=alice)
    with override_settings(SECRET_KEY="n" * 60, SECRET_KEY_FALLBACKS=[old]):
        client = Client()
        client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
        response = client.post("/workspace/signin/code", {"code": fresh_code(alice)})
        assert response["Location"] == "/workspace/"
    # That sign-in sealed the secret again under the new key: the old one can be retired.
    alice.refresh_from_db()
    with override_settings(SECRET_KEY="n" * 60, SECRET_KEY_FALLBACKS=[]):
        assert staff_totp_secret(staff=alice) == secret
    with (
        override_settings(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[]),
        pytest.raises(SealedTextError),
    ):
        staff_totp_secret(staff=alice)
    bob = advocate_enrolled("bob")  # never signs in after the rotation
    with (
        override_settings(SECRET_KEY="n" * 60, SECRET_KEY_FALLBACKS=[]),
        pytest.raises(SealedTextError, match="CHORUS_SECRET_KEY_FALLBACKS"),
    ):
        staff_totp_secret(staff=bob)
