"""Build the published tables from noisy releases. Pure functions: no database, no noise."""

from __future__ import annotations

from typing import Any

from chorus.counts import release
from chorus.counts.facets import COUNTRY, FACETS, NOT_SAID
from chorus.counts.geography import COUNTRY_BY_CODE, REGIONS

REGION_PREFIX = "region:"


def _cell(value: int, *, terms: int, scale: float, delta: float, min_cell: int) -> dict[str, Any]:
    limit = release.threshold(terms=terms, scale=scale, delta=delta, min_cell=min_cell)
    shown = value >= limit
    return {"value": value if shown else None, "threshold": limit}


def publish(
    *,
    wave: list[tuple[str, str, int]],
    facets: dict[str, dict[str, int]],
    batches: int,
    scale_wave: float,
    scale_facet: float,
    delta: float,
    min_cell: int,
) -> dict[str, Any]:
    """Cumulative noisy sums in, suppressed public tables out.

    ``wave`` is (period start ISO, "hour" | "day", noisy count) for every released period;
    ``facets`` maps facet -> code -> noisy sum over ``batches`` releases.
    """
    total = sum(v for _p, _g, v in wave)
    published: dict[str, Any] = {
        "total": _cell(total, terms=len(wave), scale=scale_wave, delta=delta, min_cell=min_cell),
        "wave": [
            {
                "period": p,
                "granularity": g,
                **_cell(v, terms=1, scale=scale_wave, delta=delta, min_cell=min_cell),
            }
            for p, g, v in wave
        ],
        "facets": {},
    }
    for facet in FACETS:
        counts = facets.get(facet.name, {})
        rows: list[dict[str, Any]] = []
        hidden: dict[str, list[int]] = {}
        for code in (*facet.codes, NOT_SAID):
            value = counts.get(code, 0)
            cell = _cell(value, terms=batches, scale=scale_facet, delta=delta, min_cell=min_cell)
            if facet is COUNTRY and code != NOT_SAID and cell["value"] is None:
                hidden.setdefault(COUNTRY_BY_CODE[code].region, []).append(value)
                continue
            rows.append({"code": code, **cell})
        for region in REGIONS:
            if region in hidden:
                values = hidden[region]
                cell = _cell(
                    sum(values),
                    terms=batches * len(values),
                    scale=scale_facet,
                    delta=delta,
                    min_cell=min_cell,
                )
                if cell["value"] is not None:  # a suppressed region row would say nothing
                    rows.append({"code": REGION_PREFIX + region, **cell})
        published["facets"][facet.name] = rows
    published["accuracy95"] = {
        "wave_period": release.accuracy95(terms=1, scale=scale_wave),
        "total": release.accuracy95(terms=max(len(wave), 1), scale=scale_wave),
        "facet_cell": release.accuracy95(terms=max(batches, 1), scale=scale_facet),
    }
    return published
