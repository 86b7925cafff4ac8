from django.db import models


class Tally(models.Model):
    """How many voices added in one period gave one answer to one question. Erased when the
    period is released.

    A voice adds one to the period's ``total`` and one to one code of each fact (``""`` is
    "prefer not to say"): exactly what the published wave and tables need, and nothing finer.
    No row belongs to a voice, so nothing stored joins one person's answers, orders voices
    within a period, or grows with their number. ``shard`` (random, 0 to SHARDS - 1) spreads
    concurrent voices over several rows, so PostgreSQL's row locks do not queue them.
    """

    SHARDS = 8
    TOTAL = "total"

    period = models.DateTimeField()
    facet = models.CharField(max_length=8)
    code = models.CharField(max_length=16, blank=True)
    shard = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "facet", "code", "shard"], name="tally_one_row_per_counter"
            ),
            models.CheckConstraint(condition=models.Q(n__gte=0), name="tally_n_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.n} in {self.period:%Y-%m-%d %H:00} for {self.facet}={self.code or '-'}"


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
