"""Every write to the counts domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
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
        if value != NOT_SAID and value not in facet.code_set:
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


_INSERT_VOICE = (
    f"INSERT INTO {Voice._meta.db_table} (period, country, setting, form, sector, decade) "  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


@transaction.atomic
def voice_add(*, facts: VoiceFacts, proof: pow.Proof, now: datetime | None = None) -> None:
    """Count one voice, spending the proof of work that admits it, in one transaction."""
    now = datetime.now(tz=UTC) if now is None else now
    pow.proof_spend(proof=proof)
    period = periods.period_start(now, started=_started(now))
    # One plain INSERT: this is the hot path, and the ORM's per-call SQL compilation cost
    # more than everything else in the transaction (docs/benchmarks.md).
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_VOICE,
            [
                connection.ops.adapt_datetimefield_value(period),
                facts.country, facts.setting, facts.form, facts.sector, facts.decade,
            ],
        )  # fmt: skip


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


def snapshot_publish(*, now: datetime | None = None, progress: Progress = _noop) -> Snapshot | None:
    """Release every closed, unreleased period once, publish cumulative tables, erase the voices.

    Counting takes no write lock: closed periods receive no new voices, so voices keep arriving
    while a large batch is counted. The snapshot is recorded in one short transaction (the
    unique ``periods_from`` makes a concurrent second publisher fail instead of releasing the
    same voices twice), then the released voices are erased in small transactions. Returns None
    when no period has closed since the last snapshot, or when another publisher won the race.
    """
    config = settings.CONFIG
    now = datetime.now(tz=UTC) if now is None else now
    activity = Activity.objects.filter(singleton=1).first()
    if activity is None:
        return None
    started = activity.started
    previous = Snapshot.objects.order_by("-id").first()
    if previous is not None:  # finish erasing a previous run's voices, should it have stopped
        retention.voices_erase_released(before=previous.periods_to, progress=progress)
    first = previous.periods_to if previous else started
    cutoff = periods.period_start(now - RELEASE_GRACE, started=started)
    if cutoff <= first:
        return None
    noisy = _release_batch(first=first, cutoff=cutoff, started=started, progress=progress)
    prior = previous.noisy["cumulative"] if previous else {"wave": [], "facets": {}, "batches": 0}
    cumulative = _accumulate(prior=prior, batch=noisy, first=first, cutoff=cutoff, started=started)
    progress("publishing tables")
    published = tables.publish(
        wave=cumulative["wave"],
        facets=cumulative["facets"],
        batches=cumulative["batches"],
        scale_wave=release.scale_for(config.epsilon_wave),
        scale_facet=release.scale_for(config.epsilon_facets / len(FACETS)),
        delta=config.delta,
        min_cell=config.min_cell,
    )
    published["meta"] = _metadata(now=now, cutoff=cutoff, releases=cumulative["batches"])
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                released_at=now.replace(second=0, microsecond=0),
                periods_from=first,
                periods_to=cutoff,
                epsilon_wave=config.epsilon_wave,
                epsilon_facets=config.epsilon_facets,
                delta=config.delta,
                min_cell=config.min_cell,
                noisy={"batch": noisy, "cumulative": cumulative},
                published=published,
            )
    except IntegrityError:
        return None  # another publisher released this span first
    retention.voices_erase_released(before=cutoff, progress=progress)
    pow.proof_forget_expired(now=now)
    return snapshot


def _release_batch(
    *, first: datetime, cutoff: datetime, started: datetime, progress: Progress
) -> dict[str, Any]:
    """The noisy counts of the voices in [first, cutoff): the only place noise is drawn."""
    config = settings.CONFIG
    batch = Voice.objects.filter(period__gte=first, period__lt=cutoff)
    progress("counting released periods")
    by_period = dict(batch.values("period").annotate(n=Count("pk")).values_list("period", "n"))
    period_keys = list(periods.periods_between(first, cutoff, started=started))
    scale_wave = release.scale_for(config.epsilon_wave)
    scale_facet = release.scale_for(config.epsilon_facets / len(FACETS))
    wave = release.noisy_counts([by_period.get(p, 0) for p in period_keys], scale=scale_wave)
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        progress(f"counting {facet.name}")
        counts = dict(batch.values(facet.name).annotate(n=Count("pk")).values_list(facet.name, "n"))
        keys = (*facet.codes, NOT_SAID)
        noisy = release.noisy_counts([counts.get(k, 0) for k in keys], scale=scale_facet)
        facets[facet.name] = dict(zip(keys, noisy, strict=True))
    return {"wave": wave, "facets": facets}


def _accumulate(
    *,
    prior: dict[str, Any],
    batch: dict[str, Any],
    first: datetime,
    cutoff: datetime,
    started: datetime,
) -> dict[str, Any]:
    """Add a batch's noisy counts to the running sums (post-processing: no privacy cost)."""
    new_wave = [
        [
            p.isoformat(),
            "hour" if periods.period_length(p, started=started) == periods.HOUR else "day",
            v,
        ]
        for p, v in zip(
            periods.periods_between(first, cutoff, started=started), batch["wave"], strict=True
        )
    ]
    facets = {
        name: {code: prior["facets"].get(name, {}).get(code, 0) + v for code, v in noisy.items()}
        for name, noisy in batch["facets"].items()
    }
    return {"wave": [*prior["wave"], *new_wave], "facets": facets, "batches": prior["batches"] + 1}


def _metadata(*, now: datetime, cutoff: datetime, releases: int) -> dict[str, Any]:
    config = settings.CONFIG
    return {
        "mechanism": release.MECHANISM,
        "epsilon_wave": config.epsilon_wave,
        "epsilon_facets": config.epsilon_facets,
        "epsilon_per_facet_table": config.epsilon_facets / len(FACETS),
        "epsilon_per_voice_lifetime": config.epsilon_wave + config.epsilon_facets,
        "delta": config.delta,
        "min_cell": config.min_cell,
        "scale_wave": release.scale_for(config.epsilon_wave),
        "scale_facet": release.scale_for(config.epsilon_facets / len(FACETS)),
        "released_at": now.replace(second=0, microsecond=0).isoformat(),
        "covers_until": cutoff.isoformat(),
        "releases": releases,
    }
