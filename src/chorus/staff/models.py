"""A staff member is a Django user with a second factor; nothing here is about survivors."""

from django.conf import settings
from django.db import models


class StaffMember(models.Model):
    """Enrolment and TOTP state of one staff user.

    The enrolment link's token is kept only as SHA-256 and cleared once used. The TOTP secret is
    sealed at rest under the server's secret key (chorus.core.atrest; read it with
    ``selectors.staff_totp_secret``). ``totp_last_step`` is the 30-second step of the last code
    accepted, so a code cannot be used twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    enrolment_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    enrolment_expires = models.DateTimeField(null=True, blank=True)
    totp_secret_sealed = models.CharField(max_length=128, blank=True)
    totp_confirmed = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"staff {self.user_id}"

    @property
    def enrolled(self) -> bool:
        return self.totp_confirmed is not None
