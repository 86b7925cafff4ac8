from django.db import models


class Hit(models.Model):
    """A one-column table: each baseline request inserts one row (its id)."""

    id = models.BigAutoField(primary_key=True)

    def __str__(self) -> str:
        return f"hit {self.pk}"
