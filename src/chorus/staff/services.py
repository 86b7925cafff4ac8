"""Every write about staff: enrolment, the second factor and sign-in, each with its audit entry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import get_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.atrest import text_reseal, text_seal
from chorus.core.audit import audit_record
from chorus.crypto.suites import PURPOSE_TOTP_SECRET
from chorus.staff.errors import EnrolmentLinkError, SignInError, StaffError
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret, totp_scope

ENROLMENT_LIFETIME = timedelta(hours=48)
TOTP_ISSUER = "Chorus"
TOTP_DIGITS = 6
# One step either side: a phone clock 30 seconds off still works, nothing wider.
TOTP_WINDOW = 1
PASSWORD_VALIDATORS = get_password_validators(
    [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expired_link() -> EnrolmentLinkError:
    return EnrolmentLinkError(
        _(
            "This enrolment link has expired or has already been used. "
            "Ask the person who runs Chorus for a new one."
        )
    )


def staff_enrolment_issue(*, username: str, operator: bool = False) -> tuple[AbstractBaseUser, str]:
    """Create a staff user (or renew the link of one not yet enrolled) and return the single-use
    enrolment token. Only its SHA-256 is stored. An ``operator`` (Django's superuser flag) runs
    this Chorus: registers organisations; they are never an advocate or an organisation's member,
    and an existing staff user cannot be turned into one."""
    user_model = get_user_model()
    username = username.strip()
    try:
        user_model.username_validator(username)
    except ValidationError as exc:
        raise StaffError(
            _("That username cannot be used: %(why)s") % {"why": exc.messages[0]}
        ) from None
    if not username or len(username) > 150:
        raise StaffError(_("A username has 1 to 150 characters."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.is_superuser = operator
            user.save()
        elif user.is_superuser != operator:
            raise StaffError(_("The username %(name)s is taken.") % {"name": username})
        staff, _created = StaffMember.objects.select_for_update().get_or_create(user=user)
        if staff.enrolled:
            raise StaffError(_("%(name)s has already enrolled.") % {"name": username})
        staff.enrolment_digest = _digest(token)
        staff.enrolment_expires = timezone.now() + ENROLMENT_LIFETIME
        staff.save()
        audit_record(
            actor_id=None, action="staff.enrolment_issued", object_type="user", object_id=user.pk
        )
    return user, token


def staff_enrolment_open(*, token: str) -> StaffMember:
    """The staff member an unexpired, unused enrolment link belongs to (a read: nothing changes)."""
    staff = (
        StaffMember.objects.select_related("user").filter(enrolment_digest=_digest(token)).first()
    )
    expires = None if staff is None else staff.enrolment_expires
    if staff is None or expires is None or expires <= timezone.now():
        raise _expired_link()
    return staff


def staff_enrolment_password(*, token: str, password: str) -> StaffMember:
    """First enrolment step: set the password; the link is spent, a TOTP secret is made."""
    with transaction.atomic():
        staff = staff_enrolment_open(token=token)
        staff = StaffMember.objects.select_for_update().select_related("user").get(pk=staff.pk)
        if staff.enrolment_digest != _digest(token):  # spent by a request that won the race
            raise _expired_link()
        try:
            validate_password(password, staff.user, password_validators=PASSWORD_VALIDATORS)
        except ValidationError as exc:
            raise StaffError(
                " ".join(exc.messages), extra={"fields": {"password": exc.messages}}
            ) from None
        staff.user.set_password(password)
        staff.user.save()
        staff.enrolment_digest = None
        staff.enrolment_expires = None
        staff.totp_secret_sealed = text_seal(
            plaintext=pyotp.random_base32(),
            purpose=PURPOSE_TOTP_SECRET,
            scope=totp_scope(staff.user_id),
        )
        staff.save()
        audit_record(
            actor_id=staff.user.pk,
            action="staff.password_set",
            object_type="user",
            object_id=staff.user.pk,
        )
    return staff


def staff_totp_uri(*, staff: StaffMember) -> str:
    return pyotp.TOTP(staff_totp_secret(staff=staff)).provisioning_uri(
        name=staff.user.get_username(), issuer_name=TOTP_ISSUER
    )


def _totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step a well-formed code belongs to, within the window; None if it fits none."""
    code = code.strip().replace(" ", "")
    if len(code) != TOTP_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    found = None
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            found = totp.timecode(moment)
    return found


def _wrong_code() -> SignInError:
    return SignInError(
        _("That code is not right. Check your authenticator app and type the newest code.")
    )


def _check_code(staff: StaffMember, code: str) -> SignInError | None:
    step = _totp_step(staff_totp_secret(staff=staff), code, timezone.now())
    if step is None:
        return _wrong_code()
    if staff.totp_last_step is not None and step <= staff.totp_last_step:
        return SignInError(
            _("That code has already been used. Wait for the next code and type that one.")
        )
    staff.totp_last_step = step
    return None


def staff_totp_confirm(*, user_id: int, code: str) -> StaffMember:
    """Second enrolment step: a code from the authenticator proves it was set up right."""
    with transaction.atomic():
        staff = StaffMember.objects.select_for_update().select_related("user").get(user_id=user_id)
        if staff.enrolled or not staff.totp_secret_sealed:
            raise _expired_link()
        error = _check_code(staff, code)
        if error is None:
            staff.totp_confirmed = timezone.now()
            staff.save()
            audit_record(
                actor_id=user_id, action="staff.enrolled", object_type="user", object_id=user_id
            )
    if error is not None:
        raise error
    return staff


def _signin_failed(*, actor_id: int | None, action: str) -> None:
    with transaction.atomic():
        audit_record(actor_id=actor_id, action=action)


def staff_password_check(*, username: str, password: str) -> int:
    """First sign-in step. Returns the user id to ask a TOTP code of; the same message for an
    unknown username, a wrong password and a staff member who has not finished enrolling."""
    user = get_user_model().objects.filter(username=username.strip()).first()
    # Hash exactly once whoever asks (unknown, deactivated, wrong password), so how long the
    # answer takes never tells that a username exists.
    if user is None or not user.is_active:
        make_password(password)
        password_ok = False
    else:
        password_ok = user.check_password(password)
    staff = None if user is None else StaffMember.objects.filter(user=user).first()
    ok = password_ok and staff is not None and staff.enrolled
    if not ok or user is None:
        _signin_failed(actor_id=None if user is None else user.pk, action="staff.sign_in_failed")
        raise SignInError(_("That username and password do not match. Please try again."))
    return int(user.pk)


def staff_totp_sign_in(*, user_id: int, code: str) -> StaffMember:
    """Second sign-in step, required: a fresh TOTP code (a code's step is accepted once)."""
    with transaction.atomic():
        staff = StaffMember.objects.select_for_update().select_related("user").get(user_id=user_id)
        error = _check_code(staff, code) if staff.enrolled else _wrong_code()
        if error is None:
            fields = ["totp_last_step"]
            # Sealed under a secret key being rotated out: seal it under the current one.
            resealed = text_reseal(
                sealed=staff.totp_secret_sealed,
                purpose=PURPOSE_TOTP_SECRET,
                scope=totp_scope(staff.user_id),
            )
            if resealed is not None:
                staff.totp_secret_sealed = resealed
                fields.append("totp_secret_sealed")
            staff.save(update_fields=fields)
            audit_record(actor_id=user_id, action="staff.signed_in")
    if error is not None:
        _signin_failed(actor_id=user_id, action="staff.sign_in_code_failed")
        raise error
    return staff


def staff_signed_out(*, user_id: int) -> None:
    with transaction.atomic():
        audit_record(actor_id=user_id, action="staff.signed_out")


def staff_deactivate(*, username: str) -> int:
    """Stop a staff member signing in (a departed advocate, a lost phone): returns the user id.
    The user row stays, so the audit log's actor ids keep their meaning."""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().filter(username=username.strip()).first()
        if user is None or not StaffMember.objects.filter(user=user).exists():
            raise StaffError(_("There is no staff member called %(name)s.") % {"name": username})
        user.is_active = False
        user.save(update_fields=["is_active"])
        StaffMember.objects.filter(user=user).update(enrolment_digest=None, enrolment_expires=None)
        audit_record(
            actor_id=None, action="staff.deactivated", object_type="user", object_id=user.pk
        )
    return int(user.pk)
