"""Reads about staff that need no authorisation."""

from __future__ import annotations

from chorus.staff.models import StaffMember


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
        .exclude(totp_secret="")
        .first()
    )


def staff_is_operator(staff: StaffMember) -> bool:
    """Whether this staff user runs this Chorus (registers organisations, staff_enrolment_issue
    with ``operator``). An operator is never an advocate."""
    return bool(staff.user.is_superuser)
