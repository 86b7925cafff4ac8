"""Advocates, keys and planted matches for the workspace tests (HTTP and browser)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from django.test import Client
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.crypto import escrow, passphrase, seal
from chorus.escrow.advocates import ADVOCATE_KEY_CTX, ESCROW_CTX
from chorus.escrow.models import AdvocateKey, Entry, Envelope, Match
from chorus.staff import services
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret

PASSWORD = "correct horse battery staple"
PASSPHRASE = "a long passphrase for the key"


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """The TOTP code of the current step (or one a step later, still inside the window)."""
    moment = datetime.now(tz=UTC) + timedelta(seconds=30 * steps_ahead)
    return pyotp.TOTP(secret).at(moment)


def wrong_code(secret: str) -> str:
    """A well-formed six-digit code that is none of the codes the server accepts now (the steps
    just before, now and just after), nor a step later, should a 30-second boundary pass before
    the server checks it: the first such from 000000 up."""
    accepted = {code_for(secret, steps_ahead=k) for k in (-1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in accepted)


def fresh_code(staff: StaffMember) -> str:
    """A code whose step has not been used yet: forget the last step, then give the current."""
    StaffMember.objects.filter(pk=staff.pk).update(totp_last_step=None)
    return code_for(staff_totp_secret(staff=staff))


def advocate_enrolled(username: str = "alice") -> StaffMember:
    """An advocate who has set a password and confirmed TOTP (through the services)."""
    _user, token = services.staff_enrolment_issue(username=username)
    staff = services.staff_enrolment_password(token=token, password=PASSWORD)
    services.staff_totp_confirm(
        user_id=staff.user_id, code=code_for(staff_totp_secret(staff=staff))
    )
    return StaffMember.objects.select_related("user").get(pk=staff.pk)


def sign_in(client: Client, staff: StaffMember) -> None:
    """Both sign-in steps over HTTP."""
    response = client.post(
        "/workspace/signin", {"username": staff.user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    response = client.post("/workspace/signin/code", {"code": fresh_code(staff)})
    assert response.status_code == 302, response.content
    assert response["Location"] == "/workspace/"


@dataclass
class KeyPair:
    key: AdvocateKey
    sk: bytes


def key_for(staff: StaffMember) -> KeyPair:
    """An advocate key made in Python, the way the browser makes it (suite 1, wrapped sk)."""
    pair = seal.generate_key_pair()
    wrapped = passphrase.wrap(PASSPHRASE, pair.sk, ctx=ADVOCATE_KEY_CTX)
    key = AdvocateKey.objects.create(
        advocate=staff.user, suite=1, public_key=pair.pk, wrapped_private_key=wrapped
    )
    return KeyPair(key=key, sk=pair.sk)


def _account() -> Account:
    return Account.objects.create(
        lookup=os.urandom(32),
        recovery_lookup=os.urandom(32),
        sid_wrapped=os.urandom(60),
        sid_wrapped_recovery=os.urandom(60),
        created_day=timezone.now().date(),
    )


def plant_match(
    keys: list[AdvocateKey],
    contacts: list[str],
    *,
    t: int = 2,
    bogus_first: bool = False,
    first_t: int | None = None,
) -> Match:
    """A match as the matching job leaves it: one entry per survivor about one person, each
    with the survivor's share and contact details sealed to every key given. With
    `bogus_first`, the first entry's share and box come from another identifier (what a
    malicious client could send): robust decryption must skip it. With `first_t`, the first
    entry is about the same person but its share claims another threshold (a malicious client's
    choice): the advocate's browser must hold to the deployment's threshold."""
    output = os.urandom(64)
    derivation = escrow.derive(output, ctx=ESCROW_CTX, t=t)
    bogus = escrow.derive(output if first_t else os.urandom(64), ctx=ESCROW_CTX, t=first_t or t)
    today = timezone.now().date()
    match = Match.objects.create(index=derivation.index, found_day=today)
    for position, contact in enumerate(contacts):
        entry = Entry.objects.create(
            account=_account(),
            index=derivation.index,
            threshold=t,
            created_day=today,
            match=match,
            pending=False,
        )
        body = json.dumps({"v": 1, "contact": contact}).encode()
        sid = os.urandom(32)
        for key in keys:
            sealed = escrow.seal_share(
                bytes(key.public_key),
                bogus if (bogus_first or first_t) and position == 0 else derivation,
                sid=sid,
                entry=body,
                ctx=ESCROW_CTX,
            )
            Envelope.objects.create(entry=entry, key=key, sealed=sealed)
    return match
