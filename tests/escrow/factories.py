"""Escrow rows made the way a survivor's browser and an advocate's browser would make them."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from chorus.accounts.models import Account
from chorus.crypto import box, escrow, oprf, seal
from chorus.crypto.suites import PURPOSE_ESCROW_SHARE
from chorus.escrow.models import AdvocateKey
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag

CTX = b"deployment"
_serial = itertools.count()


def account_make() -> Account:
    n = next(_serial)
    return Account.objects.create(
        lookup=secrets.token_bytes(32),
        recovery_lookup=secrets.token_bytes(32),
        sid_wrapped=b"\x01" * 61,
        sid_wrapped_recovery=b"\x01" * 61,
        created_day=date(2026, 1, 1 + n % 28),
    )


def client_signed_in(account: Account) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = account.pk
    session[SESSION_CODENAME] = session_codename_tag(account)
    session.save()
    return client


@dataclass
class Advocate:
    key: AdvocateKey
    sk: bytes


def advocate_make(*, suite: int = 1, email: str = "advocate@example.org") -> Advocate:
    n = next(_serial)
    user = get_user_model().objects.create_user(username=f"advocate{n}", email=email)
    pair = seal.generate_key_pair(suite)
    key = AdvocateKey.objects.create(
        advocate=user, suite=suite, public_key=pair.pk, wrapped_private_key=b"\x01" * 80
    )
    return Advocate(key=key, sk=pair.sk)


def identifier_input(canonical: str, kind: str = "phone") -> bytes:
    return f"chorus-id-v1\x00{kind}\x00{canonical}".encode()


def derivation_for(identifier: bytes, *, t: int | None = None) -> escrow.Derivation:
    """What the browser derives after the OPRF with this deployment's key (one key server)."""
    output = oprf.evaluate(settings.CONFIG.oprf_key, identifier, mode=1)
    return escrow.derive(output, ctx=CTX, t=t or settings.CONFIG.escrow_threshold)


def entry_json(
    *,
    sid: bytes,
    identifier: bytes,
    advocates: list[Advocate],
    contact: str = "call me on Tuesdays",
    t: int | None = None,
) -> dict[str, object]:
    """One entry of the POST /escrow/entries body, sealed to every advocate given."""
    derivation = derivation_for(identifier, t=t)
    entry = json.dumps({"v": 1, "contact": contact}).encode()
    boxed = box.box_seal(
        derivation.entry_key, entry, purpose=PURPOSE_ESCROW_SHARE, ctx=CTX, index=derivation.index
    )
    plaintext = escrow.encode_share_plaintext(
        escrow.share(derivation, sid=sid), t=derivation.threshold, entry=boxed
    )
    envelopes = [
        {
            "key": advocate.key.pk,
            "sealed": base64.b64encode(
                seal.seal(
                    bytes(advocate.key.public_key),
                    plaintext,
                    purpose=PURPOSE_ESCROW_SHARE,
                    ctx=CTX,
                    suite=advocate.key.suite,
                )
            ).decode(),
        }
        for advocate in advocates
    ]
    return {"index": derivation.index.hex(), "envelopes": envelopes}
