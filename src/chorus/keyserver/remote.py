"""The app's client for the second key server (`chorus keyserver` run by another operator).

The app, not the browser, talks to it: the second operator never sees survivors' addresses,
only blinded elements and an account pseudonym. Proxies from the environment are ignored.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _

from chorus.core.errors import ChorusError
from chorus.crypto import oprf
from chorus.crypto.errors import CryptoError
from chorus.crypto.suites import Mode
from chorus.keyserver.errors import KeyserverLimitError, KeyserverUnavailableError
from chorus.keyserver.wire import Evaluation, blinded_parse

TIMEOUT_SECONDS = 5
MAX_RESPONSE_BYTES = 4096


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: urllib would re-send the bearer token and the account tag to
    wherever it points. A redirect is an unavailable key server."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _unavailable() -> KeyserverUnavailableError:
    return KeyserverUnavailableError(
        _("The second key server could not be reached. Please try again later; nothing was saved.")
    )


def remote_evaluate(*, blinded: Sequence[bytes], tag: str) -> Evaluation:
    """Ask the second key server; check its proof against the pinned public key."""
    config = settings.CONFIG
    url, pinned = config.keyserver_url, config.keyserver_public_key
    if url is None or pinned is None:
        raise _unavailable()
    request = urllib.request.Request(  # noqa: S310  (the URL's scheme is checked in config)
        url.rstrip("/") + "/v1/evaluate",
        data=json.dumps({"blinded": [b.hex() for b in blinded]}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config.keyserver_token}",
            "Chorus-Account-Tag": tag,
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            data = json.loads(response.read(MAX_RESPONSE_BYTES + 1)[:MAX_RESPONSE_BYTES])
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            raise KeyserverLimitError(
                _(
                    "The second key server has reached its daily limit for you or for this "
                    "site. Please come back tomorrow; nothing was saved."
                )
            ) from None
        raise _unavailable() from None
    except (OSError, ValueError):
        raise _unavailable() from None
    try:
        evaluated = blinded_parse(data["evaluated"])
        proof = bytes.fromhex(data["proof"])
        if len(evaluated) != len(blinded):
            raise ValueError
        oprf.verify_proof(
            oprf.GENERATOR,
            pinned,
            list(blinded),
            evaluated,
            proof,
            mode=Mode.VOPRF,
        )
    except (KeyError, TypeError, ValueError, CryptoError, ChorusError):
        raise _unavailable() from None
    return Evaluation(pinned, evaluated, proof)
