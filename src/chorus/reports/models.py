"""Cases: reports a survivor sent to an organisation (docs/protocols/reports.md §4.4, §7.1).

The report is an AEAD box under a random case key the server never holds; the case key is
sealed in the reporter's browser to each member key of the organisation.
"""

from django.db import models


class Case(models.Model):
    """One report to one organisation. `reporter_account` links the survivor to their case only
    so that they can see it later; it is never shown to the organisation."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_REVIEW = "in_review", "In review"
        ACTION_TAKEN = "action_taken", "Action taken"
        CLOSED = "closed", "Closed"

    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous"

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    case_ref = models.BinaryField(max_length=16, unique=True)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.ANONYMOUS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    created_day = models.DateField()
    body = models.BinaryField()
    reporter_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="cases"
    )

    def __str__(self) -> str:
        return f"case {self.pk} ({self.status})"


class CaseKey(models.Model):
    """The case key sealed (HPKE) to one member key of the organisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    key = models.ForeignKey("orgs.HandlerKey", on_delete=models.PROTECT, related_name="case_keys")
    sealed = models.BinaryField(max_length=8192)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="reports_one_envelope_per_key")
        ]

    def __str__(self) -> str:
        return f"case key {self.pk}"
