"""The voice lane: POST /api/v1/voices answered in front of Django's request machinery.

Adding a voice is the one operation that must take bursts of thousands a second (issue 2: 1,500/s
on two cores). Through Django and django-ninja, the middleware, URL resolution, the request and
response objects and the per-request signals cost about as much CPU as counting the voice itself
(decision 0007). The lane is a WSGI wrapper around Django's application that answers only the
plain, successful case, with the very steps the API view takes (``v1.voice_check``,
``v1.voice_limit``, ``services.voice_add``), and hands EVERY other request to Django unchanged:

- another path or method, no or a too-large ``Content-Length``, a host Django would not accept,
  plain HTTP where Django would redirect to HTTPS, a cookie (Django's session middleware may
  answer one), a cross-site fetch, ``PREPEND_WWW``;
- a body Django would refuse: not JSON, not the schema, an unknown fact, a missing, forged,
  expired or spent proof of work, a network over its limit, any error at all.

So every refusal, with its message, status, headers and log line, is Django's own: the lane can
only ever answer "201 added", and only where Django would have given that same answer. When it
hands a request over after charging the network's rate limit, it gives the charge back first, so
Django charges it exactly once. tests/api/test_lane.py sends the same requests through both and
compares status, headers and body.

What the lane does itself, as the middleware would have:

- counts the request in flight (``chorus.core.inflight``, for PostgreSQL's voice writer);
- derives the keyed network hash from the forwarded address (``chorus.core.network``) and never
  stores, logs or passes on the address or the user agent (it logs nothing at all);
- answers with the security headers of ``settings`` (HSTS on HTTPS, CSP, Referrer-Policy,
  COOP, CORP, Permissions-Policy, X-Frame-Options, nosniff, ``Cache-Control: no-store``);
- closes the database connection if it became unusable or too old, as Django does when a
  request finishes (``close_old_connections``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http.request import split_domain_port, validate_host
from django.utils.csp import CSP, build_policy

from chorus.api.v1 import VoiceIn, voice_added_body, voice_check, voice_limit, voice_limit_undo
from chorus.core.errors import RateLimitedError
from chorus.core.inflight import in_flight
from chorus.core.middleware import PERMISSIONS_POLICY
from chorus.core.network import client_address, network_key
from chorus.counts import services

PATH = "/api/v1/voices"

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def response_headers(*, secure: bool) -> list[tuple[str, str]]:
    """The headers Django's middleware gives a JSON answer of the API (without its length),
    normalised as the middleware normalises them. Names and values are plain ``str``, as PEP 3333
    requires (Django's CSP header names are a StrEnum: ``str()`` them, as Django does)."""
    headers = [("Content-Type", "application/json")]
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append(("Strict-Transport-Security", hsts))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        values = [v.strip() for v in policy.split(",")] if isinstance(policy, str) else policy
        headers.append(("Referrer-Policy", ",".join(values)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if settings.SECURE_CSP:
        headers.append((str(CSP.HEADER_ENFORCE), build_policy(settings.SECURE_CSP)))
    if settings.SECURE_CSP_REPORT_ONLY:
        headers.append((str(CSP.HEADER_REPORT_ONLY), build_policy(settings.SECURE_CSP_REPORT_ONLY)))
    headers += [
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
        ("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()),
    ]
    return [(str(name), str(value)) for name, value in headers]


def _secure(environ: Environ) -> bool:
    """Whether Django sees HTTPS (``HttpRequest.scheme``): the proxy's header, its first value,
    when the header is there; else the WSGI server's scheme."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, secure_value = proxy
        value = environ.get(header)
        if value is not None:
            return bool(value.split(",", 1)[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")


class VoiceLane:
    """WSGI: answers a plain, successful voice itself and every other request through ``app``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._headers: dict[bool, list[tuple[str, str]]] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        with in_flight():
            answer = self._voice(environ)
        if answer is None:  # Django answers (and counts itself in flight)
            return self.app(environ, start_response)
        start_response("201 Created", answer[0])
        return [answer[1]]

    def _plain(self, environ: Environ) -> bool | None:
        """Whether Django would see HTTPS; None where Django must answer (host, redirect...)."""
        host = environ.get("HTTP_HOST")
        if not host or settings.USE_X_FORWARDED_HOST or settings.PREPEND_WWW:
            return None
        domain, _port = split_domain_port(host)
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            return None
        secure = _secure(environ)
        if not secure and settings.SECURE_SSL_REDIRECT:
            return None
        if "HTTP_COOKIE" in environ or environ.get("HTTP_SEC_FETCH_SITE") in (
            "cross-site",
            "same-site",
        ):
            return None
        return secure

    def _voice(self, environ: Environ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The 201 answer's headers and body once the voice is counted; None: Django answers.

        Nothing here may raise once the voice is counted: a counted voice always gets its 201.
        Before that, any error (an unreadable body, a failing cache) leaves the answer to Django,
        whose error handling and logging then apply.
        """
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        try:
            secure = self._plain(environ)  # before reading: Django refuses these unread
            if secure is None:
                return None
            headers = self._headers.get(secure)
            if headers is None:
                headers = self._headers[secure] = response_headers(secure=secure)
            answer = voice_added_body()
            body = environ["wsgi.input"].read(length)
        except Exception:  # a client gone mid-body, a settings error: Django answers
            return None
        environ["wsgi.input"] = io.BytesIO(body)  # Django reads it again if it answers
        if not self._count(environ, body):
            return None
        return [*headers, ("Content-Length", str(len(answer)))], answer

    def _count(self, environ: Environ, body: bytes) -> bool:
        """Count the voice as the API view would; False (nothing counted, nothing charged) where
        Django must answer instead."""
        try:
            try:
                # As django-ninja reads a JSON body: json.loads, then the schema.
                payload = VoiceIn.model_validate(json.loads(body))
                facts, proof = voice_check(payload)
            except Exception:  # Django answers: its message, status and log line
                return False
            try:
                config = settings.CONFIG
                address = client_address(environ, trusted_proxies=config.trusted_proxies)
                key = network_key(address, window=config.rate_limit_window_seconds)
            except Exception:  # the cache holding the window's key failed: Django answers
                return False
            try:
                voice_limit(key)
            except RateLimitedError:  # charged, and over: Django charges again and refuses it
                _give_back(key)
                return False
            except Exception:  # the cache failed: Django fails the same way
                return False
            try:
                services.voice_add(facts=facts, proof=proof)
            except Exception:  # a spent proof, a database error: Django answers
                _give_back(key)
                return False
            return True
        finally:
            # As Django's close_old_connections when a request ends, for the one database a
            # voice uses; never inside a transaction (a test's: Django's test client
            # disconnects that receiver for the same reason).
            conn = connections[DEFAULT_DB_ALIAS]
            if conn.connection is not None and not conn.in_atomic_block:
                with suppress(Exception):  # a counted voice is answered whatever happens here
                    conn.close_if_unusable_or_obsolete()


def _give_back(key: str) -> None:
    """Return the lane's charge before Django charges the same request; if the cache fails
    now, the network stays charged once more, which only brings its limit a voice nearer."""
    with suppress(Exception):
        voice_limit_undo(key)
