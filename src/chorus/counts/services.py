"""Every write to the counts domain."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from chorus.core import pow
from chorus.counts import batching, periods, release, retention, tables
from chorus.counts.errors import CountsError
from chorus.counts.facets import FACETS, NOT_SAID, SETTING
from chorus.counts.models import Activity, Snapshot, Tally

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


_TALLY = Tally._meta.db_table
_ADD_VOICE_SQLITE = (
    "INSERT INTO counts_voice_inbox "
    "(digest, expires_at, period, shard, country, setting, form, sector, decade) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_shards = random.Random()  # noqa: S311  (spreads row locks; not a secret, reveals nothing)


def voice_add(*, facts: VoiceFacts, proof: pow.Proof, now: datetime | None = None) -> None:
    """Count one voice, spending the proof of work that admits it, atomically.

    Plain SQL: this is the hot path, and the ORM's per-call SQL compilation cost more than
    everything else in the transaction (docs/benchmarks.md).
    """
    now = datetime.now(tz=UTC) if now is None else now
    period = connection.ops.adapt_datetimefield_value(
        periods.period_start(now, started=_started(now))
    )
    _spend, spend_params = pow.proof_spend_statement(proof=proof)
    codes = tuple(getattr(facts, facet.name) for facet in FACETS)
    if connection.vendor == "postgresql":
        # One statement per batch of the voices that arrive together, committed before any of
        # them is answered (chorus.counts.batching, decision 0006); inside a transaction, the
        # caller's own connection writes it as part of that transaction.
        digest, expires_at = spend_params
        voice = batching.Voice(digest=digest, expires_at=expires_at, period=period, codes=codes)
        ticket = None if connection.in_atomic_block else batching.batcher().submit(voice)
        counted = batching.voice_write(voice) if ticket is None else ticket.result()
        if not counted:
            raise pow.proof_replayed()
        return
    # SQLite: one statement into a view whose trigger spends the proof and adds the tallies
    # (migration 0003), queued on the write lock like a transaction (chorus.core.sqlite).
    shard = _shards.randrange(Tally.SHARDS)
    with connection.write_lock(), connection.cursor() as cursor:  # type: ignore[attr-defined]
        try:
            cursor.execute(_ADD_VOICE_SQLITE, [*spend_params, period, shard, *codes])
        except IntegrityError:
            raise pow.proof_replayed() from None


@transaction.atomic
def voices_seed(
    *, started: datetime, voices: Iterable[tuple[datetime, VoiceFacts]], batch: int = 5000
) -> int:
    """Add many voices at given times (demo data and benchmarks). Sets the activity start.

    The tallies come out exactly as if each voice had been added by ``voice_add``.
    """
    Activity.objects.update_or_create(
        singleton=1, defaults={"started": periods.floor_hour(started)}
    )
    activity_cache_clear()
    counts: Counter[tuple[datetime, str, str]] = Counter()
    total = 0
    for when, facts in voices:
        period = periods.period_start(when, started=started)
        counts[period, Tally.TOTAL, NOT_SAID] += 1
        for facet in FACETS:
            counts[period, facet.name, getattr(facts, facet.name)] += 1
        total += 1
    tallies_add(counts=counts, batch=batch)
    return total


def tallies_add(*, counts: Mapping[tuple[datetime, str, str], int], batch: int = 5000) -> None:
    """Add counts to the tallies of (period, facet, code), e.g. many seeded voices at once."""
    sql = (
        f"INSERT INTO {_TALLY} (period, facet, code, shard, n) VALUES "  # noqa: S608
        "(%s, %s, %s, 0, %s) ON CONFLICT (period, facet, code, shard) "
        f"DO UPDATE SET n = {_TALLY}.n + excluded.n"
    )
    rows = [
        (connection.ops.adapt_datetimefield_value(period), facet, code, n)
        for (period, facet, code), n in counts.items()
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i : i + batch])


def _noop(_message: str) -> None:
    return None


def snapshot_publish(*, now: datetime | None = None, progress: Progress = _noop) -> Snapshot | None:
    """Release every closed, unreleased period once, publish cumulative tables, erase the
    released tallies.

    Everything happens in one transaction, whose cost depends on the number of periods and
    codes, never on the number of voices: count, add noise, record the snapshot, erase what it
    released. A crash leaves nothing half done. The unique ``periods_from`` makes a concurrent
    second publisher fail instead of releasing the same voices twice. Returns None when no
    period has closed since the last snapshot, or when another publisher won the race.
    """
    config = settings.CONFIG
    now = datetime.now(tz=UTC) if now is None else now
    activity = Activity.objects.filter(singleton=1).first()
    if activity is None:
        return None
    started = activity.started
    try:
        with transaction.atomic():
            previous = Snapshot.objects.order_by("-id").first()
            first = previous.periods_to if previous else started
            cutoff = periods.period_start(now - RELEASE_GRACE, started=started)
            if cutoff <= first:
                return None
            noisy = _release_batch(first=first, cutoff=cutoff, started=started, progress=progress)
            prior = (
                previous.noisy["cumulative"]
                if previous
                else {"wave": [], "facets": {}, "batches": 0}
            )
            cumulative = _accumulate(
                prior=prior, batch=noisy, first=first, cutoff=cutoff, started=started
            )
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
            # Released voices, and any that arrived too late for a period already released.
            retention.tallies_erase_released(before=cutoff)
    except IntegrityError:
        return None  # another publisher released this span first
    pow.proof_forget_expired(now=now)
    return snapshot


def _release_batch(
    *, first: datetime, cutoff: datetime, started: datetime, progress: Progress
) -> dict[str, Any]:
    """The noisy counts of the voices in [first, cutoff): the only place noise is drawn."""
    config = settings.CONFIG
    progress("counting released periods")
    rows = (
        Tally.objects.filter(period__gte=first, period__lt=cutoff)
        .values("period", "facet", "code")
        .annotate(n=Sum("n"))
        .values_list("period", "facet", "code", "n")
    )
    by_period: Counter[datetime] = Counter()
    by_code: dict[str, Counter[str]] = {facet.name: Counter() for facet in FACETS}
    for period, name, code, n in rows:
        if name == Tally.TOTAL:
            by_period[period] += n
        elif name in by_code:
            by_code[name][code] += n
    period_keys = list(periods.periods_between(first, cutoff, started=started))
    scale_wave = release.scale_for(config.epsilon_wave)
    scale_facet = release.scale_for(config.epsilon_facets / len(FACETS))
    wave = release.noisy_counts([by_period[p] for p in period_keys], scale=scale_wave)
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        keys = (*facet.codes, NOT_SAID)
        noisy = release.noisy_counts([by_code[facet.name][k] for k in keys], scale=scale_facet)
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
