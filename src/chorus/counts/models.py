from django.db import models


class Voice(models.Model):
    """One "me too" not yet released. Erased once its period is published.

    ``period`` is the start of the hour (in a deployment's first 72 hours of activity) or of the
    day (after) in which it was added: the finest granularity the published wave needs. There
    is no timestamp, no network data and nothing a person typed.
    """

    period = models.DateTimeField()
    country = models.CharField(max_length=2, blank=True)
    setting = models.CharField(max_length=16, blank=True)
    form = models.CharField(max_length=16, blank=True)
    sector = models.CharField(max_length=1, blank=True)
    decade = models.CharField(max_length=8, blank=True)

    class Meta:
        indexes = [models.Index(fields=["period"])]

    def __str__(self) -> str:
        return f"voice in period {self.period:%Y-%m-%d %H:00}"


class Activity(models.Model):
    """When this deployment's first voice arrived (to the hour): the wave is hourly for 72 h."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    started = models.DateTimeField()

    def __str__(self) -> str:
        return f"activity since {self.started:%Y-%m-%d %H:00}"


class Snapshot(models.Model):
    """One release: the noisy counts of the voices in ``[periods_from, periods_to)``, released
    exactly once, and the cumulative tables published from all releases so far.

    ``noisy`` holds this release's own noisy counts (differentially private outputs, kept so
    later snapshots can add them up); ``published`` is what the public sees, after suppression.
    Together the rows are the privacy budget ledger: periods never overlap, so each voice is in
    exactly one release.
    """

    released_at = models.DateTimeField()
    periods_from = models.DateTimeField()
    periods_to = models.DateTimeField()
    epsilon_wave = models.FloatField()
    epsilon_facets = models.FloatField()
    delta = models.FloatField()
    min_cell = models.PositiveIntegerField()
    noisy = models.JSONField()
    published = models.JSONField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(periods_to__gte=models.F("periods_from")),
                name="snapshot_periods_ordered",
            ),
            models.UniqueConstraint(fields=["periods_from"], name="snapshot_periods_from_unique"),
        ]

    def __str__(self) -> str:
        return f"snapshot {self.pk} released {self.released_at:%Y-%m-%d %H:%M}"
