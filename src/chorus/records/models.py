"""Survivors' private records: ciphertext and its signed time stamp (docs/protocols/records.md)."""

from django.db import models


class Record(models.Model):
    """One written record of a survivor. Its words and attachments live only in the versions'
    envelopes, which the survivor's browser sealed under a key the server never holds."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="records"
    )

    def __str__(self) -> str:
        return f"record {self.pk}"


class RecordVersion(models.Model):
    """One saved version: the envelope, SHA-256 of it, when the server received it, and the
    deployment's Ed25519 signature over (hash, time)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    envelope = models.BinaryField()
    digest = models.BinaryField(max_length=32)
    stamped_at = models.DateTimeField()
    signature = models.BinaryField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="records_version_number")
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} version {self.number}"
