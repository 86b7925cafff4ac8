"""Upgrading from voice rows to tallies carries every unreleased voice over (decision 0005)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
PERIOD = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor


def test_unreleased_voice_rows_become_tallies() -> None:
    executor = _migrate([("counts", "0001_initial")])
    voice = executor.loader.project_state([("counts", "0001_initial")]).apps.get_model(
        "counts", "Voice"
    )
    voice.objects.bulk_create(
        [
            voice(period=PERIOD, country="FR", setting="online"),
            voice(period=PERIOD, country="FR"),
            voice(period=PERIOD, decade="1990s"),
        ]
    )
    executor = _migrate(executor.loader.graph.leaf_nodes())
    tally = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps.get_model(
        "counts", "Tally"
    )
    counts = {(t.facet, t.code): t.n for t in tally.objects.filter(period=PERIOD)}
    assert counts == {
        ("total", ""): 3,
        ("country", "FR"): 2,
        ("country", ""): 1,
        ("setting", "online"): 1,
        ("setting", ""): 2,
        ("form", ""): 3,
        ("sector", ""): 3,
        ("decade", ""): 2,
        ("decade", "1990s"): 1,
    }
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "counts_voice" not in tables
