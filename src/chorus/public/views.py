"""The survivor-facing site: thin views over the counts domain."""

from __future__ import annotations

import csv
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.core import pow
from chorus.core.errors import ChorusError, ProofTooEarlyError
from chorus.core.ratelimit import rate_limit_hit
from chorus.counts import export, selectors, services
from chorus.counts.errors import CountsError
from chorus.counts.facets import FACETS, NOT_SAID
from chorus.public import charts
from chorus.public.forms import VoiceForm

FACT_NAMES = tuple(f.name for f in FACETS)


def _total(snapshot: Any) -> dict[str, Any] | None:
    return None if snapshot is None else snapshot.published["total"]


def _add_page(
    request: HttpRequest, *, data: Any = None, error: ChorusError | None = None
) -> HttpResponse:
    field_errors = error.extra.get("fields", {}) if error else {}
    context = {
        "form": VoiceForm(data=None, initial=data or {}),
        "error": error,
        "field_errors": field_errors,
        "survivor_page": True,
    }
    return render(request, "public/add.html", context, status=error.status if error else 200)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _add_page(request)


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    data = {name: request.POST.get(name, NOT_SAID) for name in FACT_NAMES}
    try:
        facts = services.voice_facts_parse(data)
    except CountsError as exc:
        return _add_page(request, data=data, error=exc)
    altcha, ticket = request.POST.get("altcha"), request.POST.get("ticket")
    try:
        if altcha:
            proof = pow.proof_check(payload=altcha)
        elif ticket:
            proof = pow.ticket_check(ticket=ticket)
        else:
            return _wait_page(request, data=data, ticket=pow.ticket_issue())
        rate_limit_hit(
            scope="voice",
            network_key=request.network_key,  # type: ignore[attr-defined]
            limit=settings.CONFIG.rate_limit_voices,
            window=settings.CONFIG.rate_limit_window_seconds,
        )
        services.voice_add(facts=facts, proof=proof)
    except ProofTooEarlyError as exc:
        return _wait_page(request, data=data, ticket=ticket or "", error=exc)
    except ChorusError as exc:
        return _add_page(request, data=data, error=exc)
    return redirect("public:thanks", permanent=False)


def _wait_page(
    request: HttpRequest, *, data: dict[str, str], ticket: str, error: ChorusError | None = None
) -> HttpResponse:
    context = {
        "data": data,
        "ticket": ticket,
        "error": error,
        "wait_seconds": settings.CONFIG.nojs_wait_seconds,
        "survivor_page": True,
    }
    return render(request, "public/wait.html", context, status=error.status if error else 200)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    total = _total(selectors.snapshot_latest())
    return render(request, "public/thanks.html", {"total": total, "survivor_page": True})


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "public/help.html", {"survivor_page": True})


@require_GET
def challenge(request: HttpRequest) -> JsonResponse:
    return JsonResponse(pow.challenge_issue())


def _facet_view(name: str, label: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Published rows in chart and table alike; suppressed rows folded into one line."""
    shown = [(export.label(name, r["code"]), r["value"]) for r in rows if r["value"] is not None]
    hidden = [r["threshold"] for r in rows if r["value"] is None]
    return {
        "name": name,
        "label": label,
        "rows": shown,
        "hidden": len(hidden),
        "hidden_threshold": max(hidden, default=None),
        "chart": charts.bar_chart(chart_id=f"chart-{name}", title=label, rows=shown),
    }


def _wave_view(granularity: str, title: str, wave: list[dict[str, Any]]) -> dict[str, Any]:
    cells = [c for c in wave if c["granularity"] == granularity]
    return {
        "name": granularity,
        "title": title,
        "cells": cells,
        "chart": charts.wave_chart(
            chart_id=f"chart-wave-{granularity}",
            title=title,
            points=[(c["period"], c["value"]) for c in cells],
        ),
    }


@require_GET
def numbers(request: HttpRequest) -> HttpResponse:
    # The page depends only on the snapshot and the language, so it is rendered once per
    # snapshot and served from memory: its cost does not grow with the data.
    html = _numbers_html(selectors.snapshot_latest_id(), get_language())
    return HttpResponse(html)


@lru_cache(maxsize=8)
def _numbers_html(snapshot_id: int | None, language: str) -> str:
    snapshot = None if snapshot_id is None else selectors.snapshot_get(snapshot_id=snapshot_id)
    context: dict[str, Any] = {"snapshot": snapshot, **_site_context(), "LANGUAGE_CODE": language}
    if snapshot is not None:
        pub = snapshot.published
        context.update(
            total=pub["total"],
            meta=pub["meta"],
            accuracy=pub["accuracy95"],
            wave_threshold=pub["wave"][0]["threshold"] if pub["wave"] else None,
            waves=[
                _wave_view("hour", _("Per hour, in the first days"), pub["wave"]),
                _wave_view("day", _("Per day"), pub["wave"]),
            ],
            facets=[
                _facet_view(f.name, str(f.label), pub["facets"][f.name])
                for f in FACETS
                if f.name in pub["facets"]
            ],
        )
    return render_to_string("public/numbers.html", context)


def _site_context() -> dict[str, Any]:
    return {"exit_url": settings.CONFIG.exit_url, "help_links": settings.CONFIG.help_links}


@require_GET
def data_index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/data.html", {"snapshots": selectors.snapshot_list()})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _snapshot_or_404(snapshot_id: int) -> Any:
    snapshot = selectors.snapshot_get(snapshot_id=snapshot_id)
    if snapshot is None:
        raise Http404(_("There is no snapshot with that number."))
    return snapshot


@require_GET
def snapshot_csv(request: HttpRequest, snapshot_id: int) -> HttpResponseBase:
    snapshot = _snapshot_or_404(snapshot_id)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in export.csv_rows(snapshot)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="chorus-snapshot-{snapshot.pk}.csv"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def snapshot_json(request: HttpRequest, snapshot_id: int) -> HttpResponseBase:
    snapshot = _snapshot_or_404(snapshot_id)
    response = StreamingHttpResponse(export.json_chunks(snapshot), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="chorus-snapshot-{snapshot.pk}.json"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_badge_svg(selectors.snapshot_latest_id(), get_language()))
    response["Content-Type"] = "image/svg+xml; charset=utf-8"
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@lru_cache(maxsize=8)
def _badge_svg(snapshot_id: int | None, language: str) -> str:
    snapshot = None if snapshot_id is None else selectors.snapshot_get(snapshot_id=snapshot_id)
    total = _total(snapshot)
    if total is None:
        value = _("no numbers yet")
    elif total["value"] is None:
        value = _("fewer than %(n)s") % {"n": f"{total['threshold']:,}"}
    else:
        value = f"{total['value']:,}"
    label = _("voices added")
    lw, vw = 7 * len(label) + 12, 7 * len(value) + 12
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lw + vw}" height="20" role="img" '
        f'aria-label="{escape(label)}: {escape(value)}">'
        f"<title>{escape(label)}: {escape(value)}</title>"
        f'<rect width="{lw}" height="20" fill="#383f43"/><rect x="{lw}" width="{vw}" height="20" '
        f'fill="#6f2dbd"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" '
        f'font-size="11"><text x="6" y="14">{escape(label)}</text>'
        f'<text x="{lw + 6}" y="14">{escape(value)}</text></g></svg>'
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.content_type == "application/json":  # a page's fetch: the house JSON error shape
        message = _("This page has expired. Please reload it and try again. Nothing was saved.")
        return JsonResponse({"message": message, "code": "csrf_failed"}, status=403)
    if request.path not in ("/", "/add"):  # any other form: no voice page with its answers
        return render(request, "public/expired.html", status=403)
    error = ChorusError(
        _("This form had expired. Please send it again; nothing was counted."), extra={}
    )
    error.status = 403
    return _add_page(
        request, data={n: request.POST.get(n, NOT_SAID) for n in FACT_NAMES}, error=error
    )
