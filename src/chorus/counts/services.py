"""Every write to the counts domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from chorus.core import pow
from chorus.counts import periods, release, retention, tables
from chorus.counts.errors import CountsError
from chorus.counts.facets import FACETS, NOT_SAID, SETTING
from chorus.counts.models import Activity, Snapshot, Voice

# A period is released only once it has been closed for this long, so that a voice whose
# transaction began just before the boundary is never left out of its period's release.
RELEASE_GRACE = timedelta(minutes=2)
MAX_VALUE_CHARS = 32

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class VoiceFacts:
    country: str = NOT_SAID
    setting: str = NOT_SAID
    form: str = NOT_SAID
    sector: str = NOT_SAID
    decade: str = NOT_SAID


def voice_facts_parse(raw: Mapping[str, Any]) -> VoiceFacts:
    """Check optional facts against their closed lists. Raises CountsError naming each field."""
    problems: dict[str, str] = {}
    values: dict[str, str] = {}
    for facet in FACETS:
        value = raw.get(facet.name)
        if value is None:
            value = NOT_SAID
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
            problems[facet.name] = _("Choose one of the options, or “Prefer not to say”.")
            continue
        value = value.strip()
        if facet.name == "country":
            value = value.upper()
        if value != NOT_SAID and value not in facet.codes:
            problems[facet.name] = _("“%(value)s” is not one of the options for %(facet)s.") % {
                "value": value[:MAX_VALUE_CHARS],
                "facet": str(facet.label).lower(),
            }
            continue
        values[facet.name] = value
    if (
        not problems
        and values["sector"] != NOT_SAID
        and values["setting"] not in (NOT_SAID, "workplace")
    ):
        problems["sector"] = _(
            "A sector only applies when it was linked to work. Choose “%(workplace)s” as the "
            "setting, or “Prefer not to say” for the sector."
        ) % {"workplace": SETTING.label_of("workplace")}
    if problems:
        raise CountsError(
            _("Some answers are not among the options. Nothing was counted."),
            extra={"fields": problems},
        )
    return VoiceFacts(**values)


_activity_started: datetime | None = None


def _started(now: datetime) -> datetime:
    global _activity_started  # noqa: PLW0603  (a per-process cache of a value that never changes)
    if _activity_started is None:
        activity, _created = Activity.objects.get_or_create(
            singleton=1, defaults={"started": periods.floor_hour(now)}
        )
        _activity_started = activity.started
    return _activity_started


def activity_cache_clear() -> None:
    global _activity_started  # noqa: PLW0603
    _activity_started = None


@transaction.atomic
def voice_add(*, facts: VoiceFacts, proof: pow.Proof, now: datetime | None = None) -> None:
    """Count one voice, spending the proof of work that admits it, in one transaction."""
    now = datetime.now(tz=UTC) if now is None else now
    pow.proof_spend(proof=proof)
    Voice.objects.create(period=periods.period_start(now, started=_started(now)), **asdict(facts))


@transaction.atomic
def voices_seed(
    *, started: datetime, voices: Iterable[tuple[datetime, VoiceFacts]], batch: int = 5000
) -> int:
    """Add many voices at given times (demo data and benchmarks). Sets the activity start."""
    Activity.objects.update_or_create(
        singleton=1, defaults={"started": periods.floor_hour(started)}
    )
    activity_cache_clear()
    rows: list[Voice] = []
    total = 0
    for when, facts in voices:
        rows.append(Voice(period=periods.period_start(when, started=started), **asdict(facts)))
        if len(rows) >= batch:
            Voice.objects.bulk_create(rows)
            total += len(rows)
            rows = []
    Voice.objects.bulk_create(rows)
    return total + len(rows)


def _noop(_message: str) -> None:
    return None


@transaction.atomic
def snapshot_publish(*, now: datetime | None = None, progress: Progress = _noop) -> Snapshot | None:
    """Release every closed, unreleased period once, publish cumulative tables, erase the voices.

    Returns None when no period has closed since the last snapshot.
    """
    config = settings.CONFIG
    now = datetime.now(tz=UTC) if now is None else now
    activity = Activity.objects.select_for_update().filter(singleton=1).first()
    if activity is None:
        return None
    started = activity.started
    previous = Snapshot.objects.order_by("-id").first()
    first = previous.periods_to if previous else started
    cutoff = periods.period_start(now - RELEASE_GRACE, started=started)
    if cutoff <= first:
        return None

    batch = Voice.objects.filter(period__gte=first, period__lt=cutoff)
    progress("counting released periods")
    by_period = dict(batch.values("period").annotate(n=Count("pk")).values_list("period", "n"))
    period_keys = list(periods.periods_between(first, cutoff, started=started))
    scale_wave = release.scale_for(config.epsilon_wave)
    scale_facet = release.scale_for(config.epsilon_facets / len(FACETS))
    wave_noisy = release.noisy_counts([by_period.get(p, 0) for p in period_keys], scale=scale_wave)

    facet_noisy: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        progress(f"counting {facet.name}")
        counts = dict(batch.values(facet.name).annotate(n=Count("pk")).values_list(facet.name, "n"))
        keys = (*facet.codes, NOT_SAID)
        facet_noisy[facet.name] = dict(
            zip(
                keys,
                release.noisy_counts([counts.get(k, 0) for k in keys], scale=scale_facet),
                strict=True,
            )
        )

    prior: dict[str, Any] = (
        previous.noisy["cumulative"] if previous else {"wave": [], "facets": {}, "batches": 0}
    )
    wave = [
        *[tuple(row) for row in prior["wave"]],
        *[
            (
                p.isoformat(),
                "hour" if periods.period_length(p, started=started) == periods.HOUR else "day",
                v,
            )
            for p, v in zip(period_keys, wave_noisy, strict=True)
        ],
    ]
    cumulative_facets = {
        name: {
            code: prior["facets"].get(name, {}).get(code, 0) + value
            for code, value in noisy.items()
        }
        for name, noisy in facet_noisy.items()
    }
    batches = prior["batches"] + 1
    progress("publishing tables")
    published = tables.publish(
        wave=wave,
        facets=cumulative_facets,
        batches=batches,
        scale_wave=scale_wave,
        scale_facet=scale_facet,
        delta=config.delta,
        min_cell=config.min_cell,
    )
    published["meta"] = {
        "mechanism": release.MECHANISM,
        "epsilon_wave": config.epsilon_wave,
        "epsilon_facets": config.epsilon_facets,
        "epsilon_per_facet_table": config.epsilon_facets / len(FACETS),
        "epsilon_per_voice_lifetime": config.epsilon_wave + config.epsilon_facets,
        "delta": config.delta,
        "min_cell": config.min_cell,
        "scale_wave": scale_wave,
        "scale_facet": scale_facet,
        "released_at": now.replace(second=0, microsecond=0).isoformat(),
        "covers_until": cutoff.isoformat(),
        "releases": batches,
    }
    snapshot = Snapshot.objects.create(
        released_at=now.replace(second=0, microsecond=0),
        periods_from=first,
        periods_to=cutoff,
        epsilon_wave=config.epsilon_wave,
        epsilon_facets=config.epsilon_facets,
        delta=config.delta,
        min_cell=config.min_cell,
        noisy={
            "batch": {"wave": wave_noisy, "facets": facet_noisy},
            "cumulative": {"wave": wave, "facets": cumulative_facets, "batches": batches},
        },
        published=published,
    )
    progress("erasing released voices")
    retention.voices_erase_released(periods_from=first, periods_to=cutoff)
    pow.proof_forget_expired(now=now)
    return snapshot
