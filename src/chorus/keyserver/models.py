from django.db import models


class Usage(models.Model):
    """OPRF evaluations per UTC day and per tag, for the rate limits (docs/protocols/escrow.md §13).

    ``tag`` is an account's pseudonym (HMAC of the account id under the app's secret; the key
    server never learns the account) or ``DEPLOYMENT_TAG`` for the whole deployment's count.
    Rows older than yesterday serve no limit and are deleted by ``usage_forget_old``.
    """

    day = models.DateField()
    tag = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "tag"], name="keyserver_usage_day_tag")
        ]

    def __str__(self) -> str:
        return f"usage {self.day} {self.tag[:8]}"
