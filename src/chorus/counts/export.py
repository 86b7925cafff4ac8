"""Open data: a snapshot's published tables as CSV rows or JSON text, produced lazily."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from chorus.counts.facets import FACET_BY_NAME, NOT_SAID
from chorus.counts.geography import REGIONS
from chorus.counts.models import Snapshot
from chorus.counts.tables import REGION_PREFIX

CSV_HEADER = ("snapshot", "released_at", "table", "key", "label", "value", "suppressed_below")


def label(facet: str, code: str) -> str:
    if code.startswith(REGION_PREFIX):
        return f"Other countries in {REGIONS[code.removeprefix(REGION_PREFIX)]}"
    if code == NOT_SAID:
        return "Prefer not to say"
    return FACET_BY_NAME[facet].label_of(code)


def metadata(snapshot: Snapshot) -> dict[str, Any]:
    return {"id": snapshot.pk, **snapshot.published["meta"]}


def csv_rows(snapshot: Snapshot) -> Iterator[tuple[str, ...]]:
    pub = snapshot.published
    meta = pub["meta"]
    sid, released = str(snapshot.pk), meta["released_at"]

    def row(table: str, key: str, text: str, cell: dict[str, Any]) -> tuple[str, ...]:
        value = "" if cell["value"] is None else str(cell["value"])
        return (sid, released, table, key, text, value, str(cell["threshold"]))

    yield CSV_HEADER
    # Metadata first, one row per field, so the file is self-describing on its own.
    for key, value in sorted(meta.items()):
        yield (sid, released, "metadata", key, str(value), "", "")
    yield row("total", "", "Voices added", pub["total"])
    for cell in pub["wave"]:
        yield row(f"wave_{cell['granularity']}", cell["period"], cell["period"], cell)
    for facet, rows in pub["facets"].items():
        for cell in rows:
            yield row(facet, cell["code"], label(facet, cell["code"]), cell)


def json_chunks(snapshot: Snapshot) -> Iterator[str]:
    pub = snapshot.published
    yield '{"metadata": ' + json.dumps(metadata(snapshot), sort_keys=True)
    yield ', "total": ' + json.dumps(pub["total"])
    yield ', "accuracy95": ' + json.dumps(pub["accuracy95"], sort_keys=True)
    yield ', "wave": ['
    for i, cell in enumerate(pub["wave"]):
        yield ("," if i else "") + json.dumps(cell, sort_keys=True)
    yield '], "facets": {'
    for i, (facet, rows) in enumerate(pub["facets"].items()):
        labelled = [{**cell, "label": label(facet, cell["code"])} for cell in rows]
        yield ("," if i else "") + json.dumps(facet) + ": " + json.dumps(labelled, sort_keys=True)
    yield "}}\n"
