from __future__ import annotations

from typing import ClassVar

from django.db import models


class Hit(models.Model):
    """A one-column table: each baseline request inserts one row (its id)."""

    id = models.BigAutoField(primary_key=True)
    objects: ClassVar[models.Manager[Hit]] = models.Manager()

    def __str__(self) -> str:
        return f"hit {self.pk}"
