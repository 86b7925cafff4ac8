"""Reads about staff that need no authorisation."""

from __future__ import annotations

from chorus.core.atrest import text_open
from chorus.crypto.suites import PURPOSE_TOTP_SECRET
from chorus.staff.models import StaffMember


def totp_scope(user_id: int) -> str:
    """What a staff member's sealed TOTP secret is bound to: their user, so that a sealed secret
    copied to another row does not open there (the staff migration 0002 repeats it)."""
    return f"chorus/staff/v1/{user_id}"


def staff_totp_secret(*, staff: StaffMember) -> str:
    """The staff member's TOTP secret (base32), opened; "" before enrolment made one."""
    if not staff.totp_secret_sealed:
        return ""
    return text_open(
        sealed=staff.totp_secret_sealed,
        purpose=PURPOSE_TOTP_SECRET,
        scope=totp_scope(staff.user_id),
    )


def staff_enrolled(*, user_id: int) -> StaffMember | None:
    """The enrolled, active staff member with this user id, or None."""
    return (
        StaffMember.objects.select_related("user")
        .filter(user_id=user_id, user__is_active=True, totp_confirmed__isnull=False)
        .first()
    )


def staff_enrolling(*, user_id: int) -> StaffMember | None:
    """A staff member between setting a password and confirming the first code, or None."""
    return (
        StaffMember.objects.select_related("user")
        .filter(user_id=user_id, user__is_active=True, totp_confirmed__isnull=True)
        .exclude(totp_secret_sealed="")
        .first()
    )


def staff_is_operator(staff: StaffMember) -> bool:
    """Whether this staff user runs this Chorus (registers organisations, staff_enrolment_issue
    with ``operator``). An operator is never an advocate."""
    return bool(staff.user.is_superuser)
