"""Voices become tallies: one count per (period, question, answer), no row per voice.

Unreleased voices are carried over into the tallies before their rows are dropped, so an
upgrade loses nothing (decision 0005).
"""

from typing import Any

from django.db import migrations, models
from django.db.models import Count

FACETS = ("country", "setting", "form", "sector", "decade")


def voices_to_tallies(apps: Any, _schema_editor: Any) -> None:
    voice = apps.get_model("counts", "Voice")
    tally = apps.get_model("counts", "Tally")
    rows = []
    for row in voice.objects.values("period").annotate(n=Count("id")):
        rows.append(tally(period=row["period"], facet="total", code="", shard=0, n=row["n"]))
    for facet in FACETS:
        for row in voice.objects.values("period", facet).annotate(n=Count("id")):
            rows.append(
                tally(period=row["period"], facet=facet, code=row[facet], shard=0, n=row["n"])
            )
    tally.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("counts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.DateTimeField()),
                ("facet", models.CharField(max_length=8)),
                ("code", models.CharField(blank=True, max_length=16)),
                ("shard", models.PositiveSmallIntegerField(default=0)),
                ("n", models.BigIntegerField()),
            ],
        ),
        migrations.AddConstraint(
            model_name="tally",
            constraint=models.UniqueConstraint(
                fields=("period", "facet", "code", "shard"), name="tally_one_row_per_counter"
            ),
        ),
        migrations.AddConstraint(
            model_name="tally",
            constraint=models.CheckConstraint(
                condition=models.Q(("n__gte", 0)), name="tally_n_not_negative"
            ),
        ),
        migrations.RunPython(voices_to_tallies, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(
            model_name="voice",
            name="counts_voic_period_5c6fe4_idx",
        ),
        migrations.DeleteModel(
            name="Voice",
        ),
    ]
