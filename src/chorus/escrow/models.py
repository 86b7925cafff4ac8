"""Escrow tables: indexes and sealed envelopes only (docs/protocols/escrow.md §9)."""

from django.conf import settings
from django.db import models


class AdvocateKey(models.Model):
    """An advocate's HPKE key pair, made in their browser. The private key is stored only as a
    passphrase-wrapped envelope (escrow.md §8) that the server cannot open."""

    class Suite(models.IntegerChoices):
        X25519 = 1, "X25519"
        XWING = 2, "MLKEM768-X25519"

    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escrow_keys"
    )
    suite = models.PositiveSmallIntegerField(choices=Suite.choices, default=Suite.X25519)
    public_key = models.BinaryField(max_length=1216)
    wrapped_private_key = models.BinaryField(max_length=512)
    created = models.DateTimeField(auto_now_add=True)
    # A retired key receives no new envelopes; it still opens the ones already sealed to it.
    retired = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["advocate"],
                condition=models.Q(retired__isnull=True),
                name="escrow_one_active_key_per_advocate",
            )
        ]

    def __str__(self) -> str:
        return f"advocate key {self.pk} (suite {self.suite})"


class Match(models.Model):
    """t or more distinct survivors share an index. Found by the periodic matching job."""

    index = models.BinaryField(max_length=32, unique=True)
    found_day = models.DateField()

    class Meta:
        verbose_name_plural = "matches"

    def __str__(self) -> str:
        return f"match {self.pk}"


class Entry(models.Model):
    """One survivor's entry about one person: the index π and, in ``envelopes``, their share and
    contact details sealed to each advocate key. One entry per account and index."""

    class Outreach(models.TextChoices):
        NONE = "", "Not yet contacted"
        CONTACTED = "contacted", "Contacted"
        DECLINED = "declined", "Survivor declined"
        REFERRED = "referred", "Referred"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="escrow_entries"
    )
    index = models.BinaryField(max_length=32)
    threshold = models.PositiveSmallIntegerField()
    created_day = models.DateField()
    match = models.ForeignKey(
        Match, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    outreach = models.CharField(max_length=16, choices=Outreach.choices, blank=True)
    # Not yet seen by the matching job. The job reads only these rows (through a partial index)
    # and the rows sharing their indexes, so one run costs the same whatever the table's size.
    pending = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["account", "index"], name="escrow_entry_one_per_index")
        ]
        indexes = [
            models.Index(fields=["index"], name="escrow_entry_index"),
            models.Index(
                fields=["id"], condition=models.Q(pending=True), name="escrow_entry_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"entry {self.pk}"


class Envelope(models.Model):
    """An entry's share plaintext (escrow.md §8) sealed to one advocate key."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="envelopes")
    key = models.ForeignKey(AdvocateKey, on_delete=models.PROTECT, related_name="envelopes")
    sealed = models.BinaryField(max_length=8192)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "key"], name="escrow_envelope_one_per_key")
        ]

    def __str__(self) -> str:
        return f"envelope {self.pk}"
