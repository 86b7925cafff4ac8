import csv
import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chorus.counts import export, selectors, services, tables
from chorus.counts.models import Snapshot
from chorus.counts.periods import hourly_end, period_start
from chorus.counts.selectors import voice_pending_count
from chorus.counts.services import VoiceFacts

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def seed(n: int, when: datetime, **facts: str) -> None:
    services.voices_seed(started=T0, voices=[(when, VoiceFacts(**facts))] * n)


def test_nothing_is_published_before_any_voice() -> None:
    assert services.snapshot_publish(now=T0) is None


def test_nothing_is_published_until_a_period_has_closed() -> None:
    seed(3, T0)
    assert services.snapshot_publish(now=T0 + timedelta(minutes=20)) is None
    # Closed, but within the grace period for transactions still in flight.
    assert services.snapshot_publish(now=T0 + timedelta(minutes=31)) is None
    assert services.snapshot_publish(now=T0 + timedelta(minutes=33)) is not None


def test_periods_are_hourly_for_72_hours_then_daily() -> None:
    started = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert period_start(
        started + timedelta(hours=5, minutes=10), started=started
    ) == started + timedelta(hours=5)
    assert hourly_end(started) == datetime(2026, 3, 5, tzinfo=UTC)
    later = datetime(2026, 3, 7, 17, 45, tzinfo=UTC)
    assert period_start(later, started=started) == datetime(2026, 3, 7, tzinfo=UTC)


def test_each_voice_is_released_once_and_then_erased() -> None:
    seed(500, T0, setting="workplace")
    first = services.snapshot_publish(now=T0 + timedelta(hours=2))
    assert first is not None
    assert voice_pending_count() == 0
    seed(400, T0 + timedelta(hours=3), setting="online")
    second = services.snapshot_publish(now=T0 + timedelta(hours=5))
    assert second is not None
    assert second.periods_from == first.periods_to
    assert services.snapshot_publish(now=T0 + timedelta(hours=5)) is None
    # The second snapshot's figures add both releases; each period appears once.
    periods = [cell["period"] for cell in second.published["wave"]]
    assert len(periods) == len(set(periods))
    total = second.published["total"]["value"]
    assert total is not None
    assert abs(total - 900) < 200
    settings_rows = {r["code"]: r["value"] for r in second.published["facets"]["setting"]}
    assert abs(settings_rows["workplace"] - 500) < 150
    assert abs(settings_rows["online"] - 400) < 150


def test_the_ledger_never_spends_more_than_the_lifetime_budget_per_voice() -> None:
    for day in range(4):
        seed(50, T0 + timedelta(days=day))
        services.snapshot_publish(now=T0 + timedelta(days=day, hours=3))
    snapshots = list(Snapshot.objects.order_by("id"))
    spans = [(s.periods_from, s.periods_to) for s in snapshots]
    for (_a, end), (start, _b) in itertools.pairwise(spans):
        assert end == start  # contiguous and disjoint: each voice is in exactly one release
    for s in snapshots:
        assert s.epsilon_wave + s.epsilon_facets <= 1.0
        assert s.published["meta"]["epsilon_per_voice_lifetime"] <= 1.0
        assert s.delta <= 1e-7


def _cells(snapshot: Snapshot) -> list[dict[str, Any]]:
    pub = snapshot.published
    return [pub["total"], *pub["wave"], *[c for rows in pub["facets"].values() for c in rows]]


def test_a_small_cell_never_appears_in_a_snapshot_its_csv_or_its_json() -> None:
    seed(3000, T0, country="US", setting="workplace")
    seed(4, T0, country="IS", setting="home")  # Iceland, home: 4 voices, a small cell
    snapshot = services.snapshot_publish(now=T0 + timedelta(hours=2))
    assert snapshot is not None
    for cell in _cells(snapshot):
        assert cell["value"] is None or cell["value"] >= cell["threshold"] >= 11
    countries = {r["code"]: r["value"] for r in snapshot.published["facets"]["country"]}
    assert "IS" not in countries
    assert countries["US"] is not None
    assert {r["code"]: r["value"] for r in snapshot.published["facets"]["setting"]}["home"] is None

    buffer = io.StringIO()
    csv.writer(buffer).writerows(export.csv_rows(snapshot))
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert not [r for r in rows if r["key"] == "IS"]
    home = next(r for r in rows if r["table"] == "setting" and r["key"] == "home")
    assert home["value"] == ""
    for row in rows:
        if row["table"] == "metadata":
            continue
        assert row["value"] == "" or int(row["value"]) >= int(row["suppressed_below"])
    metadata = {r["key"]: r["label"] for r in rows if r["table"] == "metadata"}
    assert metadata["mechanism"].startswith("discrete Laplace")
    assert float(metadata["epsilon_per_voice_lifetime"]) <= 1.0
    assert metadata["released_at"]

    data = json.loads("".join(export.json_chunks(snapshot)))
    assert "IS" not in [r["code"] for r in data["facets"]["country"]]
    assert next(r for r in data["facets"]["setting"] if r["code"] == "home")["value"] is None
    assert data["metadata"]["mechanism"].startswith("discrete Laplace")


def test_published_metadata_states_mechanism_budget_and_release_time() -> None:
    seed(100, T0)
    snapshot = services.snapshot_publish(now=T0 + timedelta(hours=2, seconds=42))
    assert snapshot is not None
    meta = export.metadata(snapshot)
    assert meta["epsilon_wave"] + meta["epsilon_facets"] == pytest.approx(1.0)
    assert meta["released_at"] == "2026-03-01T11:30:00+00:00"
    assert meta["covers_until"] == "2026-03-01T11:00:00+00:00"
    assert selectors.snapshot_latest() == snapshot
    assert "snapshot" in str(snapshot)


def test_voices_keep_arriving_while_a_batch_is_published() -> None:
    # Voices of the open period are neither released nor erased by a publish.
    seed(300, T0)
    late = T0 + timedelta(hours=3, minutes=10)
    services.voices_seed(started=T0, voices=[(late, VoiceFacts())] * 7)
    snapshot = services.snapshot_publish(now=T0 + timedelta(hours=3, minutes=20))
    assert snapshot is not None
    assert voice_pending_count() == 7


def test_a_publish_that_fails_half_way_changes_nothing(monkeypatch) -> None:
    seed(200, T0)

    def fail(**_kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("the machine stopped")

    monkeypatch.setattr(tables, "publish", fail)
    with pytest.raises(RuntimeError):
        services.snapshot_publish(now=T0 + timedelta(hours=2))
    assert Snapshot.objects.count() == 0
    assert voice_pending_count() == 200  # not erased: nothing was released
    monkeypatch.undo()
    snapshot = services.snapshot_publish(now=T0 + timedelta(hours=2))
    assert snapshot is not None
    assert voice_pending_count() == 0


def test_a_voice_too_late_for_its_released_period_is_erased_not_released() -> None:
    seed(300, T0)
    first = services.snapshot_publish(now=T0 + timedelta(hours=2))
    assert first is not None
    seed(5, T0)  # e.g. a request stuck for longer than the grace period
    seed(40, T0 + timedelta(hours=2, minutes=10))
    second = services.snapshot_publish(now=T0 + timedelta(hours=4))
    assert second is not None
    assert second.periods_from == first.periods_to  # the late voices' span is never reopened
    assert voice_pending_count() == 0


def test_the_work_of_publishing_does_not_grow_with_the_number_of_voices() -> None:
    # Tallies, not rows per voice: a hundred thousand voices are as many rows as a hundred.
    from chorus.counts.models import Tally  # noqa: PLC0415

    seed(100, T0, country="FR")
    rows_small = Tally.objects.count()
    seed(100_000 - 100, T0, country="FR")
    assert Tally.objects.count() == rows_small
    assert voice_pending_count() == 100_000
    snapshot = services.snapshot_publish(now=T0 + timedelta(hours=2))
    assert snapshot is not None
    assert Tally.objects.count() == 0
