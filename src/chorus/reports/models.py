"""Cases: reports a survivor sent to an organisation (docs/protocols/reports.md §4.4, §7, §8).

The report, every message and every internal note are AEAD boxes under a random case key the
server never holds; the case key is sealed in the reporter's browser to each member key of the
organisation the reporter did not exclude, and boxed for the reporter under a key derived from
their `sid`.
"""

from django.db import models

from chorus.core.clock import minute_now


class Case(models.Model):
    """One report to one organisation. `reporter_account` links the survivor to their case only
    so that they can see it later; it is never shown to the organisation."""

    class Status(models.TextChoices):
        HELD = "held", "Held until others report the same person"
        RECEIVED = "received", "Received"
        IN_REVIEW = "in_review", "In review"
        ACTION_TAKEN = "action_taken", "Action taken"
        CLOSED = "closed", "Closed"

    class Mode(models.TextChoices):
        NAMED = "named", "Named"
        ANONYMOUS = "anonymous", "Anonymous"
        TOGETHER = "together", "Together"

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    case_ref = models.BinaryField(max_length=16, unique=True)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.ANONYMOUS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    created_day = models.DateField()
    body = models.BinaryField()
    # box(HKDF(sid, "chorus/report/v1"), "case-key", ctx_O, case_ref, CK): the reporter's copy.
    reporter_box = models.BinaryField(max_length=256, default=b"")
    reporter_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="cases"
    )
    assignee = models.ForeignKey(
        "orgs.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    # When a together case left escrow and reached the inbox; otherwise created_day is enough.
    released_day = models.DateField(null=True, blank=True)
    closed = models.DateTimeField(null=True, blank=True)
    # closed + CHORUS_CASE_RETENTION_DAYS; the retention job erases the case after it.
    expires = models.DateTimeField(null=True, blank=True)
    # Bumped on every new message or status change; what "something changed" compares against.
    changed = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["expires"], condition=models.Q(expires__isnull=False), name="reports_expiry"
            )
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.status})"


class CaseKey(models.Model):
    """The case key sealed (HPKE) to one member key of the organisation: by the reporter when
    they sent the case, or later by a member who could open it (a grant, reports.md §4.5)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    key = models.ForeignKey("orgs.HandlerKey", on_delete=models.PROTECT, related_name="case_keys")
    sealed = models.BinaryField(max_length=8192)
    granted_by = models.ForeignKey(
        "orgs.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="reports_one_envelope_per_key")
        ]

    def __str__(self) -> str:
        return f"case key {self.pk}"


class CaseExclusion(models.Model):
    """A member the reporter named as someone who must not see the case (reports.md §7.5). They
    never receive the case key, cannot be assigned and the case is absent from their inbox."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exclusions")
    membership = models.ForeignKey(
        "orgs.Membership", on_delete=models.PROTECT, related_name="exclusions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "membership"], name="reports_one_exclusion_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"exclusion {self.pk}"


class Supporter(models.Model):
    """A trusted person the reporter invited to one case (reports.md §8).

    Until the invitation is accepted, `box` holds the case key boxed under HKDF(s) of the link's
    fragment and `invite_hash` the SHA-256 of the invitation id; once accepted, `account` is the
    supporter's codename account, `box` the case key re-boxed under their own sid-derived key and
    `invite_hash` is cleared (the link is spent)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supporters")
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supporting",
    )
    invite_hash = models.BinaryField(max_length=32, null=True, blank=True, unique=True)
    invite_expires = models.DateTimeField()
    box = models.BinaryField(max_length=256)
    can_write = models.BooleanField(default=True)
    created = models.DateTimeField(default=minute_now)  # to the minute, as every survivor time
    accepted = models.DateTimeField(null=True, blank=True)
    removed = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"supporter {self.pk}"


class Message(models.Model):
    """One message of a case's conversation, boxed under the case key with purpose
    "case-message" and index case_ref ‖ number (4 bytes, big-endian). Numbers run 1, 2, 3… per
    case, so the reader's browser notices a message withheld or moved."""

    class Author(models.TextChoices):
        REPORTER = "reporter", "The reporter"
        SUPPORTER = "supporter", "The reporter's supporter"
        MEMBER = "member", "The organisation"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    number = models.PositiveIntegerField()
    author = models.CharField(max_length=16, choices=Author.choices)
    author_membership = models.ForeignKey(
        "orgs.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_supporter = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    created = models.DateTimeField()
    box = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="reports_message_number")
        ]
        ordering = ["case", "number"]

    def __str__(self) -> str:
        return f"message {self.case_id}/{self.number}"


class Note(models.Model):
    """An internal note of the organisation on a case, boxed under the case key with purpose
    "case-note" (so an excluded member cannot read it either). Never shown to the reporter or
    their supporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    number = models.PositiveIntegerField()
    membership = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField()
    box = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="reports_note_number")
        ]
        ordering = ["case", "number"]

    def __str__(self) -> str:
        return f"note {self.case_id}/{self.number}"
