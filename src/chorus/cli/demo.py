"""Realistic demo voices, so the numbers page is alive on a new install.

Shapes follow the #MeToo wave (a burst in the first hours, decaying over days, with news-driven
bumps) and the proportions in published surveys (Stop Street Harassment 2018, ILO 2022) loosely;
they are illustrative, not data. The generator is seeded, so every demo looks the same.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta

from chorus.counts import selectors, services
from chorus.counts.facets import NOT_SAID
from chorus.counts.services import VoiceFacts

SEED = 20171015
COUNTRIES = {"US": 30, "GB": 7, "CA": 4, "IN": 3, "AU": 3, "FR": 3, "DE": 2, "ES": 2, "MX": 2,
             "BR": 2, "SE": 2, "IT": 1, "NG": 1, "KE": 1, "ZA": 1, "PH": 1, "JP": 1, "IE": 1,
             "NL": 1, "IS": 0.05, "LU": 0.05, NOT_SAID: 12}  # fmt: skip
SETTINGS = {"public": 30, "workplace": 28, "education": 10, "online": 10, "home": 8, "other": 4,
            NOT_SAID: 10}  # fmt: skip
FORMS = {"verbal": 30, "physical": 20, "nonverbal": 12, "assault": 12, "online": 8, "coercion": 5,
         "other": 3, NOT_SAID: 10}  # fmt: skip
SECTORS = {"Q": 8, "P": 7, "G": 7, "I": 6, "R": 5, "J": 4, "M": 4, "K": 3, "C": 3, "O": 3, "H": 2,
           NOT_SAID: 20}  # fmt: skip
DECADES = {"2010s": 35, "2020s": 20, "2000s": 15, "1990s": 10, "1980s": 6, "1970s": 3,
           "earlier": 1, NOT_SAID: 10}  # fmt: skip


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _wave_weight(hours: float) -> float:
    burst = math.exp(-hours / 30.0) * 20
    bumps = sum(3 * math.exp(-abs(hours - b) / 12.0) for b in (9 * 24, 19 * 24))
    return burst + bumps + 0.6


def voices(*, count: int, start: datetime, end: datetime) -> Iterator[tuple[datetime, VoiceFacts]]:
    rng = random.Random(SEED)  # noqa: S311  (demo data, not security)
    span = (end - start).total_seconds() / 3600
    hours = [h + 0.5 for h in range(int(span))]
    weights = [_wave_weight(h) for h in hours]
    for hour in rng.choices(hours, weights=weights, k=count):
        setting = _pick(rng, SETTINGS)
        yield (
            start + timedelta(hours=hour),
            VoiceFacts(
                country=_pick(rng, COUNTRIES),
                setting=setting,
                form=_pick(rng, FORMS),
                sector=_pick(rng, SECTORS) if setting == "workplace" else NOT_SAID,
                decade=_pick(rng, DECADES),
            ),
        )


def workspace_links(*, site: str) -> None:
    """On a new install, an operator and a demo organisation to explore the workspace with: their
    single-use enrolment links are printed once (stored only as SHA-256, like every link)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from chorus.orgs import services as org_services
    from chorus.orgs.models import Organisation
    from chorus.staff import services as staff_services

    if Organisation.objects.exists() or get_user_model().objects.exists():
        return

    def issue(username: str) -> tuple[int, str]:
        user, token = staff_services.staff_enrolment_issue(username=username)
        return int(user.pk), token

    _user, token = staff_services.staff_enrolment_issue(username="operator", operator=True)
    operator = site + reverse("workspace:enrol", kwargs={"token": token})
    organisation, _admin, token = org_services.organisation_add(
        name="Demo Organisation",
        slug="demo",
        admin_username="demo-admin",
        admin_display_name="Demo admin",
        issue_enrolment=issue,
    )
    admin = site + reverse("workspace:org_enrol", kwargs={"token": token})
    print("To try the workspace, enrol through these links (each works once, for 48 hours):")
    print(f"  the operator (registers organisations): {operator}")
    print(f"  the admin of {organisation.name} (/orgs/{organisation.slug}): {admin}")


def run(
    *,
    voices: int,
    days: int,
    progress: Callable[[str], None],
    now: datetime | None = None,
    site: str = "http://127.0.0.1:8000",
) -> int:
    workspace_links(site=site.rstrip("/"))
    if selectors.snapshot_latest() is not None:
        print("Demo data is already there (a snapshot exists); nothing to do.")
        return 0
    now = datetime.now(tz=UTC) if now is None else now
    end = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    start = end - timedelta(days=days)
    progress(f"adding {voices:,} demo voices over {days} days")
    added = services.voices_seed(started=start, voices=_voices(voices, start, end))
    progress("publishing a snapshot")
    snapshot = services.snapshot_publish(now=now, progress=progress)
    print(f"Added {added:,} demo voices and published snapshot {snapshot.pk if snapshot else '-'}.")
    return 0


def _voices(count: int, start: datetime, end: datetime) -> Iterator[tuple[datetime, VoiceFacts]]:
    return voices(count=count, start=start, end=end)
