"""JSON API v1. One error envelope for everything: {"message", "code", "extra"}."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel, ConfigDict, Field

from chorus.core import pow
from chorus.core.errors import ChorusError
from chorus.core.ratelimit import rate_limit_hit, rate_limit_undo
from chorus.counts import export, selectors, services
from chorus.counts.models import Snapshot

api = NinjaAPI(
    title="Chorus API",
    version="1",
    description="Add an anonymous voice and read the published, privacy-protected numbers.",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page would load scripts from a CDN
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict[str, Any] = {}


class VoiceIn(BaseModel):
    # A plain pydantic model, not a ninja Schema: a request body needs none of Schema's
    # Django-object handling, whose wrapping validator cost more than the fields themselves.
    model_config = ConfigDict(extra="forbid")

    altcha: str = Field(description="Base64 ALTCHA v2 payload solving a challenge from /challenge.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    setting: str | None = None
    form: str | None = None
    sector: str | None = Field(None, description="ISIC Rev.4 section letter; work only.")
    decade: str | None = None


class VoiceOut(Schema):
    status: str
    message: str


class SnapshotSummary(Schema):
    id: int
    released_at: str
    covers_until: str
    csv: str
    json_url: str = Field(alias="json")


class SnapshotOut(Schema):
    metadata: dict[str, Any]
    total: dict[str, Any]
    accuracy95: dict[str, Any]
    wave: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]


def _error(
    request: HttpRequest, message: str, code: str, status: int, **extra: Any
) -> HttpResponse:
    return api.create_response(
        request, {"message": message, "code": code, "extra": extra}, status=status
    )


@api.exception_handler(ChorusError)
def _chorus_error(request: HttpRequest, exc: ChorusError) -> HttpResponse:
    return _error(request, exc.message, exc.code, exc.status, **exc.extra)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "payload")),
            "problem": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    if any(e.get("type") == "json_invalid" for e in exc.errors):
        return _error(
            request, _("The body is not valid JSON. Nothing was counted."), "malformed", 400
        )
    return _error(
        request, _("The request does not match the schema. Nothing was counted."), "invalid", 422,
        errors=errors,
    )  # fmt: skip


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), "http", exc.status_code)


def _summary(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.pk,
        "released_at": snapshot.released_at.isoformat(),
        "covers_until": snapshot.periods_to.isoformat(),
        "csv": reverse("public:snapshot_csv", args=[snapshot.pk]),
        "json": reverse("public:snapshot_json", args=[snapshot.pk]),
    }


def _full(snapshot: Snapshot) -> dict[str, Any]:
    pub = snapshot.published
    return {
        "metadata": export.metadata(snapshot),
        "total": pub["total"],
        "accuracy95": pub["accuracy95"],
        "wave": pub["wave"],
        "facets": {
            facet: [{**cell, "label": export.label(facet, cell["code"])} for cell in rows]
            for facet, rows in pub["facets"].items()
        },
    }


@api.get("/challenge", response=dict[str, Any], summary="Get a proof-of-work challenge")
def challenge(request: HttpRequest) -> dict[str, Any]:
    """An ALTCHA v2 challenge (PBKDF2/SHA-256); single use, expires after a few minutes."""
    return pow.challenge_issue()


@api.post(
    "/voices",
    response={201: VoiceOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Add a voice",
)
def voice_add(request: HttpRequest, payload: VoiceIn) -> HttpResponse:
    """Count one anonymous voice. Every fact is optional; unknown values are refused."""
    facts, proof = voice_check(payload)
    voice_limit(request.network_key)  # type: ignore[attr-defined]
    services.voice_add(facts=facts, proof=proof)
    # The declared VoiceOut documents this answer; sent as bytes made once per language, so the
    # hot path skips validating and serialising the same two strings on every voice.
    return HttpResponse(voice_added_body(), status=201, content_type="application/json")


# The steps of adding a voice, shared with the voice lane (chorus.api.lane), which takes the same
# steps in the same order for the plain case in front of Django.


def voice_check(payload: VoiceIn) -> tuple[services.VoiceFacts, pow.Proof]:
    """The checks that change nothing: each fact against its list, then the proof of work."""
    facts = services.voice_facts_parse(payload.model_dump(exclude={"altcha"}))
    return facts, pow.proof_check(payload=payload.altcha)


def voice_limit(network_key: str) -> None:
    """Charge the network one voice; RateLimitedError once its window's limit is used up."""
    config = settings.CONFIG
    rate_limit_hit(
        scope="voice",
        network_key=network_key,
        limit=config.rate_limit_voices,
        window=config.rate_limit_window_seconds,
    )


def voice_limit_undo(network_key: str) -> None:
    """Give back a charge of ``voice_limit`` (the lane, before Django takes the request)."""
    rate_limit_undo(scope="voice", network_key=network_key, limit=settings.CONFIG.rate_limit_voices)


def voice_added_body() -> bytes:
    """The 201 answer's body, in the active language."""
    language = get_language()
    body = _VOICE_ADDED.get(language)
    if body is None:
        body = _VOICE_ADDED[language] = json.dumps(
            {"status": "added", "message": _("Your voice was added. Thank you.")},
            ensure_ascii=False,
        ).encode()
    return body


_VOICE_ADDED: dict[str, bytes] = {}


@api.get("/snapshots", response=list[SnapshotSummary], by_alias=True, summary="List snapshots")
def snapshot_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(s) for s in selectors.snapshot_list()]


@api.get(
    "/snapshots/latest", response={200: SnapshotOut, 404: ErrorOut}, summary="The latest snapshot"
)
def snapshot_latest(request: HttpRequest) -> Any:
    snapshot = selectors.snapshot_latest()
    if snapshot is None:
        return Status(
            404, {"message": _("No snapshot has been published yet."), "code": "not_found"}
        )
    return _full(snapshot)


@api.get(
    "/snapshots/{snapshot_id}", response={200: SnapshotOut, 404: ErrorOut}, summary="A snapshot"
)
def snapshot_get(request: HttpRequest, snapshot_id: int) -> Any:
    snapshot = selectors.snapshot_get(snapshot_id=snapshot_id)
    if snapshot is None:
        return Status(
            404, {"message": _("There is no snapshot with that number."), "code": "not_found"}
        )
    return _full(snapshot)
