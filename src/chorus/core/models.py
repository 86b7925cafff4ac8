from django.db import models


class SpentProof(models.Model):
    """A proof-of-work challenge or wait ticket that has been used, kept until it expires.

    Nothing links a row to the voice it admitted: the key is a hash of a random nonce, and the
    expiry is rounded up to the hour so it cannot date the voice more finely than its period.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"spent proof until {self.expires_at:%Y-%m-%d %H:00}"


class AuditHead(models.Model):
    """One row: the digest of the newest audit entry. Appending locks it, so two transactions
    that write audit entries at once take turns and the chain never forks."""

    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head {self.digest[:12]}"


class AuditEntry(models.Model):
    """Who (a staff user's id) did what to which object, when: never an IP, a user agent, an
    identifier, a codename or a contact. ``digest`` = SHA-256(previous digest ‖ canonical content),
    so changing, removing or reordering any entry breaks every digest after it."""

    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"audit {self.pk} {self.action}"
