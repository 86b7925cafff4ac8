"""Supporters through HTTP (reports.md §8, §11.2): the reporter invites with a link, the invited
person accepts with their own codename, reads and writes while allowed; removal is at once."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.hashes import SHA512
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.test import Client
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.core.models import AuditEntry
from chorus.crypto.box import box_open, box_seal
from chorus.crypto.suites import (
    CASE_CTX_PREFIX,
    PURPOSE_CASE_KEY,
    PURPOSE_CASE_MESSAGE,
    REPORT_SALT,
    SUPPORT_ACCEPT_INFO,
    SUPPORT_SALT,
)
from chorus.orgs.models import Organisation
from chorus.reports import support
from chorus.reports.models import Case, Message, Supporter
from tests.escrow.factories import account_make, client_signed_in

pytestmark = pytest.mark.django_db


# --- The browser's side in Python (frontend/src/support/, frontend/src/reports/envelope.js) ---


def _hkdf(salt: bytes, ikm: bytes, info: bytes = b"") -> bytes:
    return HKDF(algorithm=SHA512(), length=32, salt=salt, info=info).derive(ikm)


def accept_token(secret: bytes) -> bytes:
    """t = HKDF-SHA512(salt SUPPORT_SALT, ikm s, info SUPPORT_ACCEPT_INFO, L 32)."""
    return _hkdf(SUPPORT_SALT, secret, SUPPORT_ACCEPT_INFO)


def invite_id_for(secret: bytes) -> bytes:
    """The link's id: SHA-256(t)[:16]."""
    return hashlib.sha256(accept_token(secret)).digest()[:16]


def new_invite() -> tuple[bytes, bytes]:
    """(i, s) as the reporter's panel makes them."""
    secret = secrets.token_bytes(32)
    return invite_id_for(secret), secret


def ctx(slug: str) -> bytes:
    return CASE_CTX_PREFIX + slug.encode()


def case_key_box(key: bytes, *, slug: str, case_ref: bytes, case_key: bytes) -> bytes:
    return box_seal(key, case_key, purpose=PURPOSE_CASE_KEY, ctx=ctx(slug), index=case_ref)


def case_key_open(key: bytes, *, slug: str, case_ref: bytes, box: bytes) -> bytes:
    return box_open(key, box, purpose=PURPOSE_CASE_KEY, ctx=ctx(slug), index=case_ref)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@dataclass
class Person:
    account: Account
    sid: bytes
    client: Client


def person() -> Person:
    account = account_make()
    return Person(account, secrets.token_bytes(32), client_signed_in(account))


@dataclass
class Sent:
    case: Case
    case_key: bytes
    reporter: Person

    @property
    def ref(self) -> str:
        return bytes(self.case.case_ref).hex()

    @property
    def slug(self) -> str:
        return self.case.organisation.slug


def sent_case(organisation: Organisation, *, status: str = "received") -> Sent:
    """A case as POST /reports leaves it, with the reporter's copy of the case key."""
    reporter = person()
    case_key, case_ref = secrets.token_bytes(32), secrets.token_bytes(16)
    case = Case.objects.create(
        organisation=organisation,
        case_ref=case_ref,
        status=status,
        created_day=timezone.now().date(),
        body=b"\x01" + secrets.token_bytes(60),
        reporter_box=case_key_box(
            _hkdf(REPORT_SALT, reporter.sid),
            slug=organisation.slug,
            case_ref=case_ref,
            case_key=case_key,
        ),
        reporter_account=reporter.account,
    )
    return Sent(case, case_key, reporter)


@dataclass
class Link:
    invite: str
    secret: bytes
    supporter_id: int


def invite_body(sent: Sent, *, invite: bytes, secret: bytes, can_write: bool = True) -> Any:
    box = case_key_box(
        _hkdf(SUPPORT_SALT, secret),
        slug=sent.slug,
        case_ref=bytes(sent.case.case_ref),
        case_key=sent.case_key,
    )
    return {"invite": invite.hex(), "box": b64(box), "can_write": can_write}


def post(client: Client, url: str, body: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, raw, content_type="application/json")


def invite(sent: Sent, *, can_write: bool = True) -> Link:
    """What the reporter's panel does: a new i and s, CK boxed under HKDF(s)."""
    invite_id, secret = new_invite()
    response = post(
        sent.reporter.client,
        f"/reports/cases/{sent.ref}/supporters",
        invite_body(sent, invite=invite_id, secret=secret, can_write=can_write),
    )
    assert response.status_code == 201, response.content
    return Link(invite_id.hex(), secret, response.json()["supporter"])


def read_invite(client: Client, invite: str, secret: bytes) -> Any:
    """GET /support/<i>/invite with the accept token in its header, as the page does."""
    token = b64(accept_token(secret))
    return client.get(f"/support/{invite}/invite", headers={"X-Chorus-Token": token})


def accept(link: Link, who: Person) -> Any:
    """What the invited person's page does: read the invitation, open it with s, re-box CK
    under their own sid-derived key, accept."""
    read = read_invite(who.client, link.invite, link.secret)
    if read.status_code != 200:
        return read
    data = read.json()
    case_ref = bytes.fromhex(data["case"])
    case_key = case_key_open(
        _hkdf(SUPPORT_SALT, link.secret),
        slug=data["org"]["slug"],
        case_ref=case_ref,
        box=base64.b64decode(data["box"]),
    )
    mine = case_key_box(
        _hkdf(REPORT_SALT, who.sid), slug=data["org"]["slug"], case_ref=case_ref, case_key=case_key
    )
    body = {"box": b64(mine), "token": b64(accept_token(link.secret))}
    return post(who.client, f"/support/{link.invite}/accept", body)


def message(sent: Sent, who: Person, *, n: int, text: str) -> Any:
    index = bytes(sent.case.case_ref) + n.to_bytes(4, "big")
    box = box_seal(
        sent.case_key,
        json.dumps({"v": 1, "text": text}).encode(),
        purpose=PURPOSE_CASE_MESSAGE,
        ctx=ctx(sent.slug),
        index=bytes(index),
    )
    return post(who.client, f"/reports/cases/{sent.ref}/messages", {"n": n, "box": b64(box)})


def audit_actions() -> list[tuple[str, int | None, str, int | None]]:
    return [
        (e.action, e.actor_id, e.object_type, e.object_id)
        for e in AuditEntry.objects.order_by("pk")
    ]


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.create(slug="acme", name="Acme Ltd")


@pytest.fixture
def sent(organisation: Organisation) -> Sent:
    return sent_case(organisation)


UNKNOWN_REF = "0" * 32


def not_found_body(client: Client) -> bytes:
    """What a case the survivor has nothing to do with answers."""
    response = client.get(f"/reports/cases/{UNKNOWN_REF}")
    assert response.status_code == 404
    return bytes(response.content)


# --- The whole way ----------------------------------------------------------------------------


def test_an_invited_person_accepts_reads_with_their_own_key_and_writes(sent: Sent) -> None:
    before = timezone.now()
    link = invite(sent)
    row = Supporter.objects.get()
    assert row.invite_hash is not None
    assert bytes(row.invite_hash) == hashlib.sha256(bytes.fromhex(link.invite)).digest()
    assert link.invite.encode() not in bytes(row.invite_hash)
    assert row.account is None
    assert row.accepted is None
    assert row.can_write is True
    assert before + timedelta(hours=48) <= row.invite_expires
    assert row.invite_expires <= timezone.now() + timedelta(hours=48)
    assert row.case == sent.case

    supporter = person()
    page = supporter.client.get(f"/support/{link.invite}")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert b"data-chorus-support-accept" in page.content
    assert b'"signed_in": true' in page.content
    assert b"Leave this site" in page.content

    read = read_invite(supporter.client, link.invite, link.secret)
    assert read.status_code == 200
    assert read.json()["case"] == sent.ref
    assert read.json()["org"] == {"slug": "acme", "name": "Acme Ltd"}

    response = accept(link, supporter)
    assert response.status_code == 200, response.content
    assert response.json() == {"case": sent.ref}
    row.refresh_from_db()
    assert row.account == supporter.account
    assert row.accepted is not None
    assert (row.accepted.second, row.accepted.microsecond) == (0, 0)  # to the minute only
    assert (row.created.second, row.created.microsecond) == (0, 0)
    assert row.invite_hash is None  # spent

    opened = supporter.client.get(f"/reports/cases/{sent.ref}")
    assert opened.status_code == 200, opened.content
    data = opened.json()
    assert data["role"] == "supporter"
    assert data["can_write"] is True
    assert "supporters" not in data
    own = case_key_open(
        _hkdf(REPORT_SALT, supporter.sid),
        slug=sent.slug,
        case_ref=bytes(sent.case.case_ref),
        box=base64.b64decode(data["box"]),
    )
    assert own == sent.case_key
    listed = supporter.client.get("/reports/cases").json()["cases"]
    assert [(c["case"], c["role"]) for c in listed] == [(sent.ref, "supporter")]

    written = message(sent, supporter, n=1, text="I am with you.")
    assert written.status_code == 201, written.content
    stored = Message.objects.get()
    assert stored.author == "supporter"
    assert stored.author_supporter == row
    assert sent.reporter.client.get(f"/reports/cases/{sent.ref}").json()["supporters"] == [
        {"id": row.pk, "accepted": True, "can_write": True, "day": row.created.date().isoformat()}
    ]


def test_supporter_writes_are_audited_with_the_row_id_and_never_an_account_id(sent: Sent) -> None:
    AuditEntry.objects.all().delete()
    link = invite(sent)
    supporter = person()
    assert accept(link, supporter).status_code == 200
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    assert post(sent.reporter.client, url, {"can_write": False}).status_code == 200
    assert post(sent.reporter.client, url, {"can_write": True}).status_code == 200
    assert post(sent.reporter.client, url, {"remove": True}).status_code == 200
    row = ("reports.supporter", link.supporter_id)
    assert [a for a in audit_actions() if a[0].startswith("reports.supporter")] == [
        ("reports.supporter_invited", None, *row),
        ("reports.supporter_accepted", None, *row),
        ("reports.supporter_write_stopped", None, *row),
        ("reports.supporter_write_allowed", None, *row),
        ("reports.supporter_removed", None, *row),
    ]


def test_setting_the_same_permission_again_changes_and_audits_nothing(sent: Sent) -> None:
    link = invite(sent, can_write=False)
    before = AuditEntry.objects.count()
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    response = post(sent.reporter.client, url, {"can_write": False})
    assert response.status_code == 200
    assert response.json() == {"supporter": link.supporter_id, "can_write": False, "removed": False}
    assert AuditEntry.objects.count() == before


# --- The link ---------------------------------------------------------------------------------


def test_a_forged_link_is_invalid_everywhere_and_changes_nothing(sent: Sent) -> None:
    invite(sent)
    forged_id, forged_secret = new_invite()
    forged = Link(forged_id.hex(), forged_secret, 0)
    supporter = person()
    page = supporter.client.get(f"/support/{forged.invite}")
    assert page.status_code == 404
    assert b"This invitation cannot be used" in page.content
    read = read_invite(supporter.client, forged.invite, forged.secret)
    assert read.status_code == 404
    assert read.json()["code"] == "invite_invalid"
    box = case_key_box(
        _hkdf(REPORT_SALT, supporter.sid),
        slug="acme",
        case_ref=bytes(sent.case.case_ref),
        case_key=b"k" * 32,
    )
    body = {"box": b64(box), "token": b64(accept_token(forged.secret))}
    spent = post(supporter.client, f"/support/{forged.invite}/accept", body)
    assert spent.status_code == 404
    assert spent.json()["code"] == "invite_invalid"
    assert Supporter.objects.filter(account__isnull=False).count() == 0


@pytest.mark.parametrize(
    "path", ["ABCDEF" * 5 + "AB", "0" * 31, "0" * 33, "g" * 32, "%20" + "0" * 29, "0" * 32 + "%00"]
)
def test_a_malformed_invitation_id_is_the_same_invalid_link(path: str) -> None:
    supporter = person()
    assert supporter.client.get(f"/support/{path}").status_code == 404
    read = read_invite(supporter.client, path, secrets.token_bytes(32))
    assert read.status_code == 404
    assert read.json()["code"] == "invite_invalid"
    body = {"box": b64(b"\x01" * 61), "token": b64(b"\x00" * 32)}
    accepted = post(supporter.client, f"/support/{path}/accept", body)
    assert accepted.status_code == 404
    assert accepted.json()["code"] == "invite_invalid"


def test_a_link_works_once(sent: Sent) -> None:
    link = invite(sent)
    first, second = person(), person()
    assert accept(link, first).status_code == 200
    assert second.client.get(f"/support/{link.invite}").status_code == 404
    again = accept(link, second)
    assert again.status_code == 404
    assert again.json()["code"] == "invite_invalid"
    # Replaying the accept itself, with a box made earlier, is refused too.
    box = case_key_box(
        _hkdf(REPORT_SALT, second.sid),
        slug=sent.slug,
        case_ref=bytes(sent.case.case_ref),
        case_key=sent.case_key,
    )
    body = {"box": b64(box), "token": b64(accept_token(link.secret))}
    replay = post(second.client, f"/support/{link.invite}/accept", body)
    assert replay.status_code == 404
    assert replay.json()["code"] == "invite_invalid"
    assert Supporter.objects.get().account == first.account


def test_an_expired_link_is_invalid_and_not_spent(sent: Sent) -> None:
    link = invite(sent)
    Supporter.objects.update(invite_expires=timezone.now() - timedelta(seconds=1))
    supporter = person()
    assert supporter.client.get(f"/support/{link.invite}").status_code == 404
    assert read_invite(supporter.client, link.invite, link.secret).status_code == 404
    box = b64(b"\x01" + secrets.token_bytes(60))
    body = {"box": box, "token": b64(accept_token(link.secret))}
    response = post(supporter.client, f"/support/{link.invite}/accept", body)
    assert response.status_code == 404
    assert response.json()["code"] == "invite_invalid"
    row = Supporter.objects.get()
    assert row.account is None
    assert row.accepted is None


def test_a_withdrawn_invitation_no_longer_works(sent: Sent) -> None:
    link = invite(sent)
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    assert post(sent.reporter.client, url, {"remove": True}).status_code == 200
    row = Supporter.objects.get()
    assert row.removed is not None
    assert (row.removed.second, row.removed.microsecond) == (0, 0)  # to the minute only
    assert row.invite_hash is None
    assert bytes(row.box) == b""
    response = accept(link, person())
    assert response.status_code == 404
    assert response.json()["code"] == "invite_invalid"


def test_the_reporter_cannot_accept_their_own_link_and_it_stays_usable(sent: Sent) -> None:
    link = invite(sent)
    own = accept(link, sent.reporter)
    assert own.status_code == 403
    assert own.json()["code"] == "own_case"
    assert Supporter.objects.get().accepted is None
    assert accept(link, person()).status_code == 200


def test_one_account_cannot_support_the_same_case_twice(sent: Sent) -> None:
    first_link, second_link = invite(sent), invite(sent)
    supporter = person()
    assert accept(first_link, supporter).status_code == 200
    twice = accept(second_link, supporter)
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_supporter"
    assert Supporter.objects.filter(account=supporter.account).count() == 1
    # The second link is still there for someone else.
    assert accept(second_link, person()).status_code == 200


def test_a_supporter_of_one_case_can_support_another(organisation: Organisation) -> None:
    one, two = sent_case(organisation), sent_case(organisation)
    supporter = person()
    assert accept(invite(one), supporter).status_code == 200
    assert accept(invite(two), supporter).status_code == 200
    listed = supporter.client.get("/reports/cases").json()["cases"]
    assert {c["case"] for c in listed} == {one.ref, two.ref}


def test_signed_out_is_refused_everywhere_and_the_page_asks_to_sign_in(sent: Sent) -> None:
    link = invite(sent)
    anonymous = Client()
    page = anonymous.get(f"/support/{link.invite}")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert b"/account/signin" in page.content
    assert b"/account/new" in page.content
    assert b"data-support-accept-form" not in page.content
    assert b'"signed_in": false' in page.content
    for response in (
        read_invite(anonymous, link.invite, link.secret),
        post(anonymous, f"/support/{link.invite}/accept", {"box": b64(b"\x01" * 61)}),
        post(anonymous, f"/reports/cases/{sent.ref}/supporters", {}),
        post(anonymous, f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}", {}),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "signed_out"
    assert Supporter.objects.get().accepted is None


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/support/{i}/accept", "get"),
        ("/support/{i}/invite", "post"),
        ("/support/{i}", "post"),
        ("/reports/cases/{ref}/supporters", "get"),
        ("/reports/cases/{ref}/supporters/1", "get"),
    ],
)
def test_wrong_methods_are_refused(sent: Sent, url: str, method: str) -> None:
    link = invite(sent)
    target = url.format(i=link.invite, ref=sent.ref)
    response = getattr(sent.reporter.client, method)(target)
    assert response.status_code == 405


# --- Bad input: a clear 4xx and nothing stored ---------------------------------------------


def _good(sent: Sent) -> dict[str, Any]:
    invite_id, secret = new_invite()
    body: dict[str, Any] = invite_body(sent, invite=invite_id, secret=secret)
    return body


BAD_INVITES: list[tuple[str, Any, int]] = [
    ("not json", b"{", 400),
    ("an array", [], 400),
    ("missing can_write", {"invite": "00" * 16, "box": b64(b"\x01" * 61)}, 400),
    ("an extra key", "extra", 400),
    ("short invite", "invite:" + "ab" * 15, 400),
    ("long invite", "invite:" + "ab" * 17, 400),
    ("upper-case invite", "invite:" + "AB" * 16, 400),
    ("non-hex invite", "invite:" + "zz" * 16, 400),
    ("numeric invite", "invite:1", 400),
    ("box not base64", "box:!!!!", 400),
    ("box url-safe base64", "box:" + "_" * 84, 400),
    ("box unpadded", "box:" + "A" * 81, 400),
    ("box one byte short", "box:" + b64(b"\x01" * 60), 400),
    ("box one byte long", "box:" + b64(b"\x01" * 62), 400),
    ("box far too long", "box:" + b64(b"\x01" * 600), 400),
    ("box of another version", "box:" + b64(b"\x02" + b"\x00" * 60), 400),
    ("box a number", "box:1", 400),
    ("can_write a string", "can_write:yes", 400),
    ("can_write a number", "can_write:1", 400),
    ("too large", "big", 413),
]


def _bad(sent: Sent, case: Any) -> Any:
    body = _good(sent)
    if case == "extra":
        return {**body, "name": "x"}
    if case == "big":
        return {**body, "pad": "x" * 4096}
    if isinstance(case, str) and ":" in case:
        field, value = case.split(":", 1)
        parsed: Any = value
        if value == "1":
            parsed = 1
        body[field] = parsed
        return body
    return case


@pytest.mark.parametrize(("label", "case", "status"), BAD_INVITES, ids=[b[0] for b in BAD_INVITES])
def test_a_bad_invitation_is_refused_and_nothing_stored(
    sent: Sent, label: str, case: Any, status: int
) -> None:
    before = AuditEntry.objects.count()
    response = post(sent.reporter.client, f"/reports/cases/{sent.ref}/supporters", _bad(sent, case))
    assert response.status_code == status, (label, response.content)
    assert response.json()["code"] in {"invalid", "too_large"}
    assert response.json()["message"]
    assert Supporter.objects.count() == 0
    assert AuditEntry.objects.count() == before


_DROP = object()
BAD_ACCEPTS: list[tuple[str, dict[str, Any] | bytes, int]] = [
    ("not json", b"[", 400),
    ("an array", b"[]", 400),
    ("without box", {"box": _DROP}, 400),
    ("without token", {"token": _DROP}, 400),
    ("an extra key", {"case": "x"}, 400),
    ("box short", {"box": b64(b"\x01" * 60)}, 400),
    ("box long", {"box": b64(b"\x01" * 62)}, 400),
    ("box not base64", {"box": "????"}, 400),
    ("box of another version", {"box": b64(b"\x00" * 61)}, 400),
    ("box null", {"box": None}, 400),
    ("token short", {"token": b64(b"\x01" * 31)}, 400),
    ("token long", {"token": b64(b"\x01" * 33)}, 400),
    ("token url-safe base64", {"token": "_" * 43 + "="}, 400),
    ("token hex", {"token": "ab" * 32}, 400),
    ("token a number", {"token": 7}, 400),
    ("token null", {"token": None}, 400),
    ("too large", {"box": "A" * 4096}, 413),
    # Well formed, but not the link's: whoever saw only the path cannot spend it.
    ("token of nobody", {"token": b64(secrets.token_bytes(32))}, 404),
    ("the secret itself as token", {"token": "SECRET"}, 404),
]


@pytest.mark.parametrize(
    ("label", "change", "status"), BAD_ACCEPTS, ids=[b[0] for b in BAD_ACCEPTS]
)
def test_a_bad_accept_is_refused_and_the_link_stays_unspent(
    sent: Sent, label: str, change: dict[str, Any] | bytes, status: int
) -> None:
    link = invite(sent)
    supporter = person()
    body: Any = change
    if isinstance(change, dict):
        body = {"box": b64(b"\x01" * 61), "token": b64(accept_token(link.secret))}
        for key, value in change.items():
            if value is _DROP:
                del body[key]
            else:
                body[key] = b64(link.secret) if value == "SECRET" else value
    response = post(supporter.client, f"/support/{link.invite}/accept", body)
    assert response.status_code == status, (label, response.content)
    if status == 404:
        assert response.json()["code"] == "invite_invalid"
    row = Supporter.objects.get()
    assert row.accepted is None
    assert row.account is None
    assert accept(link, supporter).status_code == 200


def test_the_link_id_is_the_hash_of_the_accept_token() -> None:
    """The Python mirror agrees with frontend/test/support.test.mjs for a fixed secret."""
    secret = bytes(range(200, 232))
    assert accept_token(secret).hex() == ACCEPT_TOKEN_HEX
    assert invite_id_for(secret).hex() == INVITE_ID_HEX


ACCEPT_TOKEN_HEX = "72c67e225a59d231fffdd96e030743569c5dd7a61e56c1bc85d171caf558568a"
INVITE_ID_HEX = "784d4be66a1247a94f9ac6be771b36f3"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"can_write": "no"},
        {"can_write": None},
        {"remove": False},
        {"remove": "yes"},
        {"can_write": True, "remove": True},
        {"other": True},
        [],
        "x",
    ],
)
def test_a_bad_change_is_refused_and_nothing_changes(sent: Sent, body: Any) -> None:
    link = invite(sent)
    before = AuditEntry.objects.count()
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    response = post(sent.reporter.client, url, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    row = Supporter.objects.get()
    assert row.can_write is True
    assert row.removed is None
    assert AuditEntry.objects.count() == before


def test_an_unknown_or_foreign_supporter_id_is_not_found(organisation: Organisation) -> None:
    mine, theirs = sent_case(organisation), sent_case(organisation)
    foreign = invite(theirs)
    for supporter_id in (foreign.supporter_id, 999_999):
        url = f"/reports/cases/{mine.ref}/supporters/{supporter_id}"
        response = post(mine.reporter.client, url, {"remove": True})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert Supporter.objects.get().removed is None


# --- Who may do what ---------------------------------------------------------------------------


def test_a_supporter_cannot_invite_or_change_supporters(sent: Sent) -> None:
    link = invite(sent)
    supporter = person()
    assert accept(link, supporter).status_code == 200
    invite_id, secret = new_invite()
    body = invite_body(sent, invite=invite_id, secret=secret)
    refused = post(supporter.client, f"/reports/cases/{sent.ref}/supporters", body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "reporter_only"
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    for change in ({"can_write": False}, {"remove": True}):
        response = post(supporter.client, url, change)
        assert response.status_code == 403
        assert response.json()["code"] == "reporter_only"
    row = Supporter.objects.get()
    assert row.can_write is True
    assert row.removed is None
    assert Supporter.objects.count() == 1


#: Everyone who must learn nothing about a case: not its reporter, not a current supporter.
OUTSIDERS = [
    "stranger",
    "removed supporter",
    "supporter whose link expired unused",
    "supporter of another case",
    "reporter of another case",
]
#: Every survivor operation on a case, with what it sends.
OPERATIONS = [
    "open the case",
    "write a message",
    "invite a supporter",
    "change a supporter",
    "remove a supporter",
]


def stored() -> tuple[int, int, int]:
    return Supporter.objects.count(), Message.objects.count(), AuditEntry.objects.count()


def _outsider(kind: str, mine: Sent, other: Sent) -> Person:
    who = person()
    if kind == "removed supporter":
        link = invite(mine)
        assert accept(link, who).status_code == 200
        url = f"/reports/cases/{mine.ref}/supporters/{link.supporter_id}"
        assert post(mine.reporter.client, url, {"remove": True}).status_code == 200
    elif kind == "supporter whose link expired unused":
        link = invite(mine)
        Supporter.objects.filter(pk=link.supporter_id).update(
            invite_expires=timezone.now() - timedelta(seconds=1)
        )
        assert accept(link, who).status_code == 404
    elif kind == "supporter of another case":
        assert accept(invite(other), who).status_code == 200
    elif kind == "reporter of another case":
        return other.reporter
    return who


def _operate(operation: str, who: Person, ref: str, supporter_id: int, sent: Sent) -> Any:
    base = f"/reports/cases/{ref}"
    if operation == "open the case":
        return who.client.get(base)
    if operation == "write a message":
        return message(sent, who, n=1, text="Let me in.")
    if operation == "invite a supporter":
        return post(who.client, f"{base}/supporters", _good(sent))
    if operation == "change a supporter":
        return post(who.client, f"{base}/supporters/{supporter_id}", {"can_write": False})
    return post(who.client, f"{base}/supporters/{supporter_id}", {"remove": True})


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("kind", OUTSIDERS)
def test_access_matrix_every_outsider_gets_the_same_404(
    organisation: Organisation, kind: str, operation: str
) -> None:
    mine, other = sent_case(organisation), sent_case(organisation)
    current = invite(mine)
    who = _outsider(kind, mine, other)
    before = stored()
    expected = not_found_body(who.client)
    for ref in (mine.ref, UNKNOWN_REF, "NOT-HEX", mine.ref.upper()):
        response = _operate(operation, who, ref, current.supporter_id, mine)
        assert response.status_code == 404, (ref, response.content)
        assert response.content == expected, ref
    assert (
        Supporter.objects.count(),
        Message.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    row = Supporter.objects.get(pk=current.supporter_id)
    assert row.removed is None
    assert row.can_write is True


@pytest.mark.parametrize("operation", OPERATIONS)
def test_access_matrix_the_reporter_and_a_current_supporter(sent: Sent, operation: str) -> None:
    """The other side of the matrix: what the reporter and a current supporter may do."""
    link = invite(sent)
    supporter = person()
    assert accept(link, supporter).status_code == 200
    spare = invite(sent)
    as_supporter = _operate(operation, supporter, sent.ref, spare.supporter_id, sent)
    as_reporter = _operate(operation, sent.reporter, sent.ref, spare.supporter_id, sent)
    allowed = {
        "open the case": (200, 200),
        "write a message": (201, 409),  # the reporter's n=1 comes second: a conflict, not a 404
        "invite a supporter": (403, 201),
        "change a supporter": (403, 200),
        "remove a supporter": (403, 200),
    }[operation]
    assert (as_supporter.status_code, as_reporter.status_code) == allowed


def test_a_supporter_allowed_only_to_read_gets_read_only(sent: Sent) -> None:
    link = invite(sent, can_write=False)
    supporter = person()
    assert accept(link, supporter).status_code == 200
    assert supporter.client.get(f"/reports/cases/{sent.ref}").json()["can_write"] is False
    refused = message(sent, supporter, n=1, text="Can I say something?")
    assert refused.status_code == 403
    assert refused.json()["code"] == "read_only"
    assert Message.objects.count() == 0
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    allowed = post(sent.reporter.client, url, {"can_write": True})
    assert allowed.status_code == 200
    assert allowed.json() == {"supporter": link.supporter_id, "can_write": True, "removed": False}
    assert message(sent, supporter, n=1, text="Now I can.").status_code == 201
    assert post(sent.reporter.client, url, {"can_write": False}).status_code == 200
    again = message(sent, supporter, n=2, text="And again?")
    assert again.status_code == 403
    assert again.json()["code"] == "read_only"
    assert Message.objects.count() == 1


def test_a_removed_supporter_gets_the_uniform_404_at_once(sent: Sent) -> None:
    link = invite(sent)
    supporter = person()
    assert accept(link, supporter).status_code == 200
    assert supporter.client.get(f"/reports/cases/{sent.ref}").status_code == 200
    url = f"/reports/cases/{sent.ref}/supporters/{link.supporter_id}"
    removed = post(sent.reporter.client, url, {"remove": True})
    assert removed.status_code == 200
    assert removed.json()["removed"] is True
    expected = not_found_body(supporter.client)
    assert supporter.client.get(f"/reports/cases/{sent.ref}").content == expected
    refused = message(sent, supporter, n=1, text="Still here?")
    assert refused.status_code == 404
    assert refused.content == expected
    assert supporter.client.get("/reports/cases").json()["cases"] == []
    row = Supporter.objects.get()
    assert bytes(row.box) == b""
    assert row.removed is not None
    assert sent.reporter.client.get(f"/reports/cases/{sent.ref}").json()["supporters"] == []
    # Removing twice: there is no such supporter any more.
    twice = post(sent.reporter.client, url, {"remove": True})
    assert twice.status_code == 404
    # The reporter may invite the same person again; it is a new row and a new link.
    assert accept(invite(sent), supporter).status_code == 200
    assert supporter.client.get(f"/reports/cases/{sent.ref}").status_code == 200


# --- Limits ------------------------------------------------------------------------------------


def test_at_most_three_live_supporters(sent: Sent) -> None:
    links = [invite(sent) for _ in range(3)]
    assert accept(links[0], person()).status_code == 200  # accepted ones count too
    fourth = post(sent.reporter.client, f"/reports/cases/{sent.ref}/supporters", _good(sent))
    assert fourth.status_code == 409
    assert fourth.json()["code"] == "too_many_supporters"
    assert Supporter.objects.count() == 3
    # An invitation that expired unused frees its place ...
    Supporter.objects.filter(pk=links[1].supporter_id).update(
        invite_expires=timezone.now() - timedelta(minutes=1)
    )
    invite(sent)
    refused = post(sent.reporter.client, f"/reports/cases/{sent.ref}/supporters", _good(sent))
    assert refused.status_code == 409
    # ... and so does a removed supporter.
    url = f"/reports/cases/{sent.ref}/supporters/{links[0].supporter_id}"
    assert post(sent.reporter.client, url, {"remove": True}).status_code == 200
    invite(sent)
    assert Supporter.objects.count() == 5


def test_the_limit_is_per_case(organisation: Organisation) -> None:
    one, two = sent_case(organisation), sent_case(organisation)
    for _ in range(3):
        invite(one)
    invite(two)
    assert Supporter.objects.filter(case=two.case).count() == 1


def test_the_same_invitation_id_twice_is_a_conflict(sent: Sent) -> None:
    body = _good(sent)
    url = f"/reports/cases/{sent.ref}/supporters"
    assert post(sent.reporter.client, url, body).status_code == 201
    again = post(sent.reporter.client, url, body)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate"
    assert Supporter.objects.count() == 1


def test_a_held_case_takes_no_supporters_yet(organisation: Organisation) -> None:
    held = sent_case(organisation, status="held")
    url = f"/reports/cases/{held.ref}/supporters"
    response = post(held.reporter.client, url, _good(held))
    assert response.status_code == 409
    assert response.json()["code"] == "held"
    assert Supporter.objects.count() == 0


def test_a_live_invitation_id_never_reaches_the_logs(sent: Sent) -> None:
    from tests.workspace.test_review import _logged  # noqa: PLC0415 - the shared log collector

    link = invite(sent)
    with _logged() as logged:
        who = person()
        assert post(who.client, f"/support/{link.invite}/accept", {"box": "x"}).status_code == 400
        assert accept(link, sent.reporter).status_code == 403  # own case
        assert who.client.get(f"/support/{link.invite}/accept").status_code == 405
        assert who.client.post(f"/support/{link.invite}").status_code == 405
        assert Client().get(f"/support/{link.invite}/invite").status_code == 403
        assert who.client.get(f"/support/{'0' * 32}").status_code == 404
        assert who.client.get("/support-no-such-page").status_code == 404  # still logged
    assert any("Not Found: /support-no-such-page" in line for line in logged), logged
    assert not any(link.invite in line for line in logged), logged
    assert accept(link, person()).status_code == 200


@pytest.mark.parametrize(
    ("label", "header", "status"),
    [
        ("no token", None, 400),
        ("token not base64", "????", 400),
        ("token short", "SHORT", 400),
        ("token of nobody", "NOBODY", 404),
        ("the secret itself", "SECRET", 404),
    ],
)
def test_the_invitation_is_not_served_on_the_path_alone(
    sent: Sent, label: str, header: str | None, status: int
) -> None:
    link = invite(sent)
    value = {
        "SHORT": b64(b"\x01" * 31),
        "NOBODY": b64(secrets.token_bytes(32)),
        "SECRET": b64(link.secret),
    }.get(header or "", header)
    who = person()
    headers = {} if value is None else {"X-Chorus-Token": value}
    response = who.client.get(f"/support/{link.invite}/invite", headers=headers)
    assert response.status_code == status, label
    assert b"Acme" not in response.content
    assert sent.ref.encode() not in response.content
    assert read_invite(who.client, link.invite, link.secret).status_code == 200


def test_invitations_that_expired_unused_are_forgotten(organisation: Organisation) -> None:
    one, two = sent_case(organisation), sent_case(organisation)
    stale, fresh, used = invite(one), invite(one), invite(one)
    other_stale = invite(two)
    assert accept(used, person()).status_code == 200
    past = timezone.now() - timedelta(seconds=1)
    Supporter.objects.filter(pk__in=[stale.supporter_id, other_stale.supporter_id]).update(
        invite_expires=past
    )
    Supporter.objects.filter(pk=used.supporter_id).update(invite_expires=past)
    AuditEntry.objects.all().delete()

    assert support.invitations_expire() == 2
    for gone in (stale, other_stale):
        row = Supporter.objects.get(pk=gone.supporter_id)
        assert row.removed is not None
        assert bytes(row.box) == b""
        assert row.invite_hash is None
    assert Supporter.objects.get(pk=fresh.supporter_id).removed is None
    kept = Supporter.objects.get(pk=used.supporter_id)  # accepted: its expiry no longer matters
    assert kept.removed is None
    assert len(bytes(kept.box)) == support.CASE_KEY_BOX_BYTES
    assert sorted(audit_actions()) == sorted(
        ("reports.supporter_expired", None, "reports.supporter", s.supporter_id)
        for s in (stale, other_stale)
    )
    assert support.invitations_expire() == 0


def test_inviting_again_forgets_the_cases_expired_invitations(sent: Sent) -> None:
    stale = invite(sent)
    Supporter.objects.filter(pk=stale.supporter_id).update(
        invite_expires=timezone.now() - timedelta(minutes=1)
    )
    invite(sent)
    row = Supporter.objects.get(pk=stale.supporter_id)
    assert row.removed is not None
    assert bytes(row.box) == b""
