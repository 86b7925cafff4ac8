"""Reports "together": a case held in escrow until t survivors name the same person to the same
organisation (docs/protocols/reports.md §7.6).

The case itself is a `reports.Case` with mode "together" and status "held" and no `CaseKey`
rows, so no inbox shows it. What the matching job groups on is here: the escrow index π the
survivor's browser derived under the organisation's scope, and the survivor's share sealed to
each member key (escrow.md §8), which only a member's private key opens.
"""

from django.db import models


class Group(models.Model):
    """t or more distinct survivors sent a together report naming the same person to one
    organisation. Found by the matching job (`chorus together-match`)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="together_groups"
    )
    index = models.BinaryField(max_length=32)
    found_day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "index"], name="together_one_group_per_index"
            )
        ]

    def __str__(self) -> str:
        return f"together group {self.pk}"


class HeldEntry(models.Model):
    """The escrow side of one together case: its index and threshold. One per (organisation,
    account, index), so counting entries counts distinct survivors."""

    case = models.OneToOneField("reports.Case", on_delete=models.CASCADE, related_name="held")
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="held_entries"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="held_entries"
    )
    index = models.BinaryField(max_length=32)
    threshold = models.PositiveSmallIntegerField()
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    # Not yet seen by the matching job, which reads only these rows (through a partial index)
    # and the rows sharing their indexes.
    pending = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "held entries"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "account", "index"], name="together_one_entry_per_index"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "index"], name="together_entry_index"),
            models.Index(
                fields=["id"], condition=models.Q(pending=True), name="together_entry_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"held entry {self.pk}"


class HeldShare(models.Model):
    """The survivor's share plaintext (escrow.md §8: U, s, t and the entry box under K holding
    0x01 ‖ CK ‖ case_ref) sealed to one member key of the organisation."""

    entry = models.ForeignKey(HeldEntry, on_delete=models.CASCADE, related_name="shares")
    key = models.ForeignKey(
        "orgs.HandlerKey", on_delete=models.PROTECT, related_name="together_shares"
    )
    sealed = models.BinaryField(max_length=8192)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "key"], name="together_one_share_per_key")
        ]

    def __str__(self) -> str:
        return f"held share {self.pk}"
