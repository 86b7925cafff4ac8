from django.db import models


class Account(models.Model):
    """A survivor's anonymous account: no name, no email, no phone, no codename.

    The browser derives two 32-byte keys from the codename (``auth`` and ``wrap``) and two from the
    recovery code; the server keeps only SHA-256 of each ``auth`` key (``lookup`` and
    ``recovery_lookup``) and the survivor id ``sid`` sealed under each ``wrap`` key. Nothing here
    lets the server or a database thief open ``sid`` or learn the codename.
    """

    lookup = models.BinaryField(max_length=32, unique=True)
    recovery_lookup = models.BinaryField(max_length=32, unique=True)
    sid_wrapped = models.BinaryField(max_length=128)
    sid_wrapped_recovery = models.BinaryField(max_length=128)
    # The day only: enough for retention, too coarse to link an account to a request log.
    created_day = models.DateField()

    def __str__(self) -> str:
        return f"account {self.pk}"
