"""The OPRF endpoint of the survivor site: both key servers' evaluations for a signed-in survivor.

POST /escrow/oprf  {"blinded": ["<64 hex>", ...]}  (1..8)
-> 200 {"servers": [{"public_key", "evaluated": [...], "proof"}, ...]}
Errors: {"message", "code"} with 400, 403 (not signed in), 429 (a limit: the account's, the
deployment's or, per window, the network's: chorus.public.limits), 503 (second key server).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.core.errors import ChorusError
from chorus.keyserver import services
from chorus.keyserver.wire import blinded_parse
from chorus.public import limits
from chorus.public.session import session_account

MAX_BODY_BYTES = 4096


def _error(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "code": code}, status=status)


@require_POST
def oprf_evaluate(request: HttpRequest) -> JsonResponse:
    account = session_account(request)
    if account is None:
        return _error(_("Please sign in with your codename first."), "signed_out", 403)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return _error(_("The request is too large."), "too_large", 413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: not JSON here
        return _error(_("The request is not valid JSON."), "bad_request", 400)
    if not isinstance(data, dict) or set(data) != {"blinded"}:
        return _error(
            _('The request must be a JSON object with one field, "blinded".'), "bad_request", 400
        )
    try:
        blinded = blinded_parse(data["blinded"])
        with limits.oprf_slot(request, n=len(blinded)):
            answers = services.oprf_evaluate_for_account(account_id=account.pk, blinded=blinded)
    except ChorusError as exc:
        return _error(exc.message, exc.code, exc.status)
    return JsonResponse({"servers": [answer.as_json() for answer in answers]})
