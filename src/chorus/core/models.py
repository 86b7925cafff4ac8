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
