"""What key servers send and receive: blinded elements in, evaluations and a proof out."""

from __future__ import annotations

import binascii
from typing import NamedTuple

from django.utils.translation import gettext as _

from chorus.crypto.suites import ELEMENT_BYTES
from chorus.keyserver.errors import KeyserverError

#: Most blinded elements one request may carry (a survivor names one person by up to a few
#: identifiers at once).
MAX_BATCH = 8


class Evaluation(NamedTuple):
    """One key server's answer: its public key, `k * B` for each element, one batch proof."""

    public_key: bytes
    evaluated: list[bytes]
    proof: bytes

    def as_json(self) -> dict[str, object]:
        return {
            "public_key": self.public_key.hex(),
            "evaluated": [e.hex() for e in self.evaluated],
            "proof": self.proof.hex(),
        }


def blinded_parse(value: object) -> list[bytes]:
    """A JSON list of 1..8 blinded elements, each 64 lowercase hex digits (32 bytes)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BATCH:
        raise KeyserverError(
            _("Send between 1 and %(n)s blinded elements as a list.") % {"n": MAX_BATCH}
        )
    elements = []
    for item in value:
        if not isinstance(item, str) or len(item) != 2 * ELEMENT_BYTES or item != item.lower():
            raise KeyserverError(_("Each blinded element must be 64 lowercase hex digits."))
        try:
            elements.append(binascii.unhexlify(item))
        except (ValueError, binascii.Error):
            raise KeyserverError(
                _("Each blinded element must be 64 lowercase hex digits.")
            ) from None
    return elements
