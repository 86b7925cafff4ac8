"""The standalone key server's HTTP surface (`chorus keyserver`, docs/operations.md).

GET /v1/public-key and POST /v1/evaluate. Only the app that holds the bearer token may ask for
evaluations; it names the survivor's account by a pseudonym in the Chorus-Account-Tag header,
which this server uses for its own per-account limit.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chorus.core.errors import ChorusError
from chorus.crypto import oprf
from chorus.keyserver import services
from chorus.keyserver.wire import blinded_parse

MAX_BODY_BYTES = 4096


class UnauthorisedError(ChorusError):
    status = 401
    code = "unauthorised"


class NotConfiguredError(ChorusError):
    status = 503
    code = "not_configured"


class BodyError(ChorusError):
    code = "bad_request"


def _error(exc: ChorusError) -> JsonResponse:
    response = JsonResponse({"message": exc.message, "code": exc.code}, status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="chorus-keyserver"'
    return response


def _authorise(request: HttpRequest) -> None:
    expected = settings.CONFIG.keyserver_token
    if expected is None:
        raise NotConfiguredError(
            _("This key server has no token: set CHORUS_KEYSERVER_TOKEN and restart it.")
        )
    given = request.headers.get("Authorization", "")
    scheme, _sep, token = given.partition(" ")
    # Constant time whatever the token: compare digests of equal length.
    if scheme != "Bearer" or not hmac.compare_digest(
        hmac.digest(b"chorus/keyserver/token", token.encode(), "sha256"),
        hmac.digest(b"chorus/keyserver/token", expected.encode(), "sha256"),
    ):
        raise UnauthorisedError(_("Missing or wrong bearer token."))


def _json(request: HttpRequest) -> Any:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise BodyError(_("The request is too large."))
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: not JSON here
        raise BodyError(_("The request is not valid JSON.")) from None


@require_GET
def public_key(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"public_key": oprf.public_key(settings.CONFIG.oprf_key).hex()})


@csrf_exempt  # no cookies: the bearer token is the credential
@require_POST
def evaluate(request: HttpRequest) -> JsonResponse:
    try:
        _authorise(request)
        tag = services.tag_check(request.headers.get("Chorus-Account-Tag", ""))
        data = _json(request)
        if not isinstance(data, dict) or set(data) != {"blinded"}:
            raise BodyError(_('The request must be a JSON object with one field, "blinded".'))
        evaluation = services.keyserver_evaluate(blinded=blinded_parse(data["blinded"]), tag=tag)
    except ChorusError as exc:
        return _error(exc)
    return JsonResponse(evaluation.as_json())
