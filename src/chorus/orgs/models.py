"""Organisations, who works in them, and handlers' keys (docs/protocols/reports.md §3, §9).

Nothing here names a survivor. A member is a staff user (chorus.staff holds their password and
second factor); the organisation only knows their user id, role and the display name it chose.
"""

from django.conf import settings
from django.db import models


class Organisation(models.Model):
    """An employer, school or NGO that receives reports. Registered by the operator."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


class Membership(models.Model):
    """One staff user's place in one organisation. A staff user belongs to at most one
    organisation, ever (reports.md §3): isolation does not depend on filtering by the right
    organisation in every query. A removed member's row stays, so audit ids keep their meaning."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        HANDLER = "handler", "Handler"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="org_membership"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    display_name = models.CharField(max_length=80)
    # Optional: where "something changed in your Chorus workspace" is sent (reports.md §9).
    email = models.EmailField(max_length=254, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    removed = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"membership {self.pk} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class HandlerKey(models.Model):
    """A member's HPKE key pair, made in their browser. The private key is stored only wrapped
    under their passphrase (escrow.md §8, passphrase envelope, ctx ``chorus/handler-key/v1``)."""

    class Suite(models.IntegerChoices):
        X25519 = 1, "X25519"
        XWING = 2, "MLKEM768-X25519"

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="keys")
    suite = models.PositiveSmallIntegerField(choices=Suite.choices, default=Suite.X25519)
    public_key = models.BinaryField(max_length=1216)
    wrapped_private_key = models.BinaryField(max_length=512)
    created = models.DateTimeField(auto_now_add=True)
    # A retired key receives no new case keys; what was sealed to it stays sealed to it.
    retired = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(retired__isnull=True),
                name="orgs_one_active_key_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"handler key {self.pk} (suite {self.suite})"
