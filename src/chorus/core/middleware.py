"""Privacy and safety plumbing that runs on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from chorus.core.network import client_address, network_key

Handler = Callable[[HttpRequest], HttpResponse]

# Headers that identify a person's device or network, or where they came from.
FORGOTTEN_HEADERS = (
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_REFERER",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_SEC_CH_UA_PLATFORM",
)
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104  (a placeholder, never bound to)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "battery", "bluetooth", "camera",
        "display-capture", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer",
        "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking", "browsing-topics", "interest-cohort",
    )
)  # fmt: skip


class ForgetClientMiddleware:
    """Keep only a keyed hash of the client's network, then erase address and user agent."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        config = settings.CONFIG
        address = client_address(request.META, trusted_proxies=config.trusted_proxies)
        request.network_key = network_key(address, window=config.rate_limit_window_seconds)  # type: ignore[attr-defined]
        request.META["REMOTE_ADDR"] = UNKNOWN_ADDRESS
        for header in FORGOTTEN_HEADERS:
            request.META.pop(header, None)
        return self.get_response(request)


#: Paths whose clients read JSON errors: a refused body gets {"message", "code"} there.
JSON_PATH_PREFIXES = ("/api/", "/escrow/", "/account/", "/workspace/key", "/reports")


class BodySizeLimitMiddleware:
    """Refuse oversized bodies up front with a clear 413, before anything reads them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A few exact paths may take larger bodies (settings.BODY_SIZE_ALLOWANCES); their views
        # read the stream themselves and check its size again.
        allowances = getattr(settings, "BODY_SIZE_ALLOWANCES", {})
        limit = allowances.get(request.path, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0 or length > limit:
            message = _("The request is too large. Nothing was counted.")
            if request.path.startswith(JSON_PATH_PREFIXES):
                return JsonResponse({"message": message, "code": "too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Headers Django has no setting for; nothing is cached unless a view says it may be."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class FetchMetadataMiddleware:
    """Let Django's CSRF protection work under ``Referrer-Policy: no-referrer``.

    Under that policy browsers send our own form posts with ``Origin: null`` and no Referer, so
    Django's origin and (on HTTPS) referer checks would refuse every one. Fetch Metadata answers
    the same question whatever the referrer policy: the browser sets ``Sec-Fetch-Site``, which no
    page script can forge. Runs just before Django's CsrfViewMiddleware, which stays unchanged:

    - a post the browser marks ``cross-site`` or ``same-site`` is refused outright;
    - a post it marks ``same-origin`` whose Origin was hidden gets its true origin back, so
      Django's origin check passes on fact rather than on a missing header;
    - the CSRF token is always checked by Django afterwards.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any],
        callback_args: Any,
        callback_kwargs: Any,
    ) -> HttpResponse | None:
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        if getattr(callback, "csrf_exempt", False):
            return None
        site = request.META.get("HTTP_SEC_FETCH_SITE")
        if site in ("cross-site", "same-site"):
            failure: Handler = import_string(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason=f"Sec-Fetch-Site is {site}")  # type: ignore[call-arg]
        if site == "same-origin" and request.META.get("HTTP_ORIGIN") in (None, "null"):
            request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return None
