"""The survivor's escrow pages through HTTP: entries, bad input, withdrawal."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chorus.crypto import escrow, oprf, seal
from chorus.escrow import services
from chorus.escrow.models import Entry, Envelope, Match
from tests.escrow.factories import (
    Advocate,
    account_make,
    advocate_make,
    client_signed_in,
    entry_json,
    identifier_input,
)

pytestmark = pytest.mark.django_db

PHONE = identifier_input("+442079460958")


@pytest.fixture
def advocates() -> list[Advocate]:
    return [advocate_make(), advocate_make(suite=2)]


def post_entries(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/escrow/entries", raw, content_type="application/json")


def stored() -> tuple[int, int]:
    return Entry.objects.count(), Envelope.objects.count()


def test_an_entry_is_stored_as_index_and_envelopes_only(advocates: list[Advocate]) -> None:
    account = account_make()
    body = {
        "entries": [entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates)]
    }
    response = post_entries(client_signed_in(account), body)
    assert response.status_code == 201, response.content
    assert response.json() == {"stored": 1}
    entry = Entry.objects.get()
    assert entry.account == account
    assert bytes(entry.index).hex() == body["entries"][0]["index"]
    assert entry.threshold == 2
    assert entry.match is None
    assert entry.pending
    assert {e.key_id for e in entry.envelopes.all()} == {a.key.pk for a in advocates}
    for advocate in advocates:
        sealed = bytes(entry.envelopes.get(key=advocate.key).sealed)
        assert sealed[:2] == bytes([1, advocate.key.suite])


def test_an_advocate_opens_what_was_stored(advocates: list[Advocate]) -> None:
    sid = secrets.token_bytes(32)
    body = {"entries": [entry_json(sid=sid, identifier=PHONE, advocates=advocates)]}
    assert post_entries(client_signed_in(account_make()), body).status_code == 201
    advocate = advocates[0]
    sealed = bytes(Envelope.objects.get(key=advocate.key).sealed)
    opened = escrow.open_share(advocate.sk, sealed, ctx=b"deployment")
    assert opened.threshold == 2


def test_several_identifiers_are_stored_together(advocates: list[Advocate]) -> None:
    sid = secrets.token_bytes(32)
    entries = [
        entry_json(sid=sid, identifier=identifier_input(f"+4420794609{n:02}"), advocates=advocates)
        for n in range(3)
    ]
    response = post_entries(client_signed_in(account_make()), {"entries": entries})
    assert response.status_code == 201
    assert stored() == (3, 6)


def test_naming_the_same_person_twice_is_refused_and_changes_nothing(
    advocates: list[Advocate],
) -> None:
    account = account_make()
    client = client_signed_in(account)
    sid = secrets.token_bytes(32)
    first = entry_json(sid=sid, identifier=PHONE, advocates=advocates)
    assert post_entries(client, {"entries": [first]}).status_code == 201
    again = entry_json(sid=sid, identifier=PHONE, advocates=advocates, contact="other")
    other = entry_json(sid=sid, identifier=identifier_input("+442079460959"), advocates=advocates)
    response = post_entries(client, {"entries": [other, again]})
    assert response.status_code == 409
    assert response.json()["message"].startswith("You have already named this person")
    assert stored() == (1, 2)


def test_the_same_person_twice_in_one_request_is_refused(advocates: list[Advocate]) -> None:
    sid = secrets.token_bytes(32)
    entry = entry_json(sid=sid, identifier=PHONE, advocates=advocates)
    response = post_entries(client_signed_in(account_make()), {"entries": [entry, entry]})
    assert response.status_code == 409
    assert stored() == (0, 0)


def test_the_same_survivor_naming_a_person_twice_never_matches_themselves(
    advocates: list[Advocate], mailoutbox: list[Any]
) -> None:
    client = client_signed_in(account_make())
    sid = secrets.token_bytes(32)
    for _ in range(2):
        post_entries(
            client, {"entries": [entry_json(sid=sid, identifier=PHONE, advocates=advocates)]}
        )
    services.matching_run()
    assert Match.objects.count() == 0
    assert Entry.objects.get().match is None
    assert mailoutbox == []


def _bad(advocates: list[Advocate]) -> dict[str, Any]:
    return entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates)


def _with(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"entries": [{**entry, **changes}]}


def _sealed(entry: dict[str, Any], n: int) -> bytes:
    return base64.b64decode(entry["envelopes"][n]["sealed"])


def _envelopes(entry: dict[str, Any], n: int, sealed: bytes | str) -> list[dict[str, Any]]:
    value = sealed if isinstance(sealed, str) else base64.b64encode(sealed).decode()
    envelopes = [dict(e) for e in entry["envelopes"]]
    envelopes[n]["sealed"] = value
    return envelopes


BAD_BODIES: dict[str, Any] = {
    "not JSON": lambda e: b"{not json",
    "not UTF-8": lambda e: b"\xff\xfe",
    "a list": lambda e: [e],
    "extra field": lambda e: {"entries": [e], "more": 1},
    "no entries": lambda e: {"entries": []},
    "entries not a list": lambda e: {"entries": e},
    # (one envelope each, to stay under the request size limit: the count is checked first)
    "too many entries": lambda e: {
        "entries": [{**e, "envelopes": e["envelopes"][:1]}] * (services.MAX_ENTRIES + 1)
    },
    "entry not an object": lambda e: {"entries": ["x"]},
    "entry missing envelopes": lambda e: {"entries": [{"index": e["index"]}]},
    "index not hex": lambda e: _with(e, index="zz" * 32),
    "index upper-case hex": lambda e: _with(e, index=e["index"].upper()),
    "index too short": lambda e: _with(e, index=e["index"][:62]),
    "index too long": lambda e: _with(e, index=e["index"] + "00"),
    "index a number": lambda e: _with(e, index=5),
    "envelopes not a list": lambda e: _with(e, envelopes={}),
    "envelope not an object": lambda e: _with(e, envelopes=["x"]),
    "envelope extra field": lambda e: _with(
        e, envelopes=[{**e["envelopes"][0], "x": 1}, e["envelopes"][1]]
    ),
    "envelope key a string": lambda e: _with(
        e, envelopes=[{**e["envelopes"][0], "key": "1"}, e["envelopes"][1]]
    ),
    "envelope key a boolean": lambda e: _with(
        e, envelopes=[{**e["envelopes"][0], "key": True}, e["envelopes"][1]]
    ),
    "malformed base64": lambda e: _with(e, envelopes=_envelopes(e, 0, "AAA*")),
    "base64 without padding": lambda e: _with(e, envelopes=_envelopes(e, 0, "AAA")),
    "urlsafe base64": lambda e: _with(e, envelopes=_envelopes(e, 0, "-_-_")),
    "unknown advocate key": lambda e: _with(
        e, envelopes=[*e["envelopes"], {"key": 999_999, "sealed": e["envelopes"][0]["sealed"]}]
    ),
    "missing advocate key": lambda e: _with(e, envelopes=e["envelopes"][:1]),
    "no envelopes": lambda e: _with(e, envelopes=[]),
    "two envelopes for one key": lambda e: _with(
        e, envelopes=[e["envelopes"][0], e["envelopes"][0], e["envelopes"][1]]
    ),
    "wrong version": lambda e: _with(e, envelopes=_envelopes(e, 0, b"\x02" + _sealed(e, 0)[1:])),
    "wrong suite": lambda e: _with(
        e, envelopes=_envelopes(e, 0, _sealed(e, 0)[:1] + b"\x02" + _sealed(e, 0)[2:])
    ),
    "suite-1 envelope for a suite-2 key": lambda e: _with(
        e,
        envelopes=[e["envelopes"][0], {**e["envelopes"][1], "sealed": e["envelopes"][0]["sealed"]}],
    ),
    "too short": lambda e: _with(
        e,
        envelopes=_envelopes(e, 0, _sealed(e, 0)[: services.sealed_minimum(1) - 1]),
    ),
    "too large": lambda e: _with(
        e, envelopes=_envelopes(e, 0, _sealed(e, 0) + bytes(services.MAX_SEALED_BYTES))
    ),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_every_bad_submission_is_refused_with_a_message_and_nothing_stored(
    advocates: list[Advocate], case: str
) -> None:
    body = BAD_BODIES[case](_bad(advocates))
    response = post_entries(client_signed_in(account_make()), body)
    assert 400 <= response.status_code < 500, case
    data = response.json()
    assert data["message"]
    assert data["code"] in {"invalid", "duplicate"}
    assert stored() == (0, 0)


def test_an_envelope_of_exactly_the_minimum_length_passes_the_length_check(
    advocates: list[Advocate],
) -> None:
    """The check is on the layout only: the server cannot open envelopes (and need not)."""
    entry = _bad(advocates)
    shortest = _sealed(entry, 0)[: services.sealed_minimum(1)]
    response = post_entries(
        client_signed_in(account_make()), _with(entry, envelopes=_envelopes(entry, 0, shortest))
    )
    assert response.status_code == 201


def test_an_oversized_request_is_refused_before_it_is_read(advocates: list[Advocate]) -> None:
    response = post_entries(client_signed_in(account_make()), b" " * (256 * 1024 + 1))
    assert response.status_code == 413
    assert stored() == (0, 0)


def test_entries_need_a_signed_in_survivor(advocates: list[Advocate]) -> None:
    body = {"entries": [_bad(advocates)]}
    response = post_entries(Client(), body)
    assert response.status_code == 403
    assert "not signed in" in response.json()["message"]
    assert stored() == (0, 0)


def test_entries_refuse_get() -> None:
    assert client_signed_in(account_make()).get("/escrow/entries").status_code == 405


def test_entries_need_the_csrf_token(advocates: list[Advocate]) -> None:
    client = client_signed_in(account_make())
    client.handler.enforce_csrf_checks = True
    response = post_entries(client, {"entries": [_bad(advocates)]})
    assert response.status_code == 403
    assert stored() == (0, 0)


def test_nothing_is_stored_while_no_advocate_has_a_key() -> None:
    client = client_signed_in(account_make())
    page = client.get("/escrow/new")
    assert page.status_code == 503
    assert b"not ready" in page.content
    assert b"escrow-setup" not in page.content
    pair = seal.generate_key_pair()
    index = secrets.token_hex(32)
    sealed = base64.b64encode(b"\x01\x01" + pair.pk + bytes(200)).decode()
    response = post_entries(
        client, {"entries": [{"index": index, "envelopes": [{"key": 1, "sealed": sealed}]}]}
    )
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"
    assert stored() == (0, 0)


def test_a_retired_key_receives_no_envelopes(advocates: list[Advocate]) -> None:
    advocates[1].key.retired = timezone.now()
    advocates[1].key.save()
    client = client_signed_in(account_make())
    body = {
        "entries": [entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates)]
    }
    assert post_entries(client, body).status_code == 400
    body = {
        "entries": [
            entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates[:1])
        ]
    }
    assert post_entries(client, body).status_code == 201


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/escrow", "/escrow/new"])
def test_pages_send_a_survivor_who_is_not_signed_in_to_sign_in(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == "/account/signin"


def test_the_new_entry_page_carries_what_the_browser_needs(advocates: list[Advocate]) -> None:
    page = client_signed_in(account_make()).get("/escrow/new")
    assert page.status_code == 200
    html = page.content.decode()
    assert "chorus/escrow.js" in html
    start = html.index('<script id="escrow-setup" type="application/json">') + len(
        '<script id="escrow-setup" type="application/json">'
    )
    setup = json.loads(html[start : html.index("</script>", start)])
    assert setup["ctx"] == "deployment"
    assert setup["threshold"] == settings.CONFIG.escrow_threshold
    assert setup["keyservers"] == [oprf.public_key(settings.CONFIG.oprf_key).hex()]
    assert setup["advocate_keys"] == [
        {"id": a.key.pk, "suite": a.key.suite, "public_key": bytes(a.key.public_key).hex()}
        for a in advocates
    ]
    assert setup["max_body_bytes"] == settings.BODY_SIZE_ALLOWANCES["/escrow/entries"]
    assert 'value="GB"' in html
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_the_threshold_is_the_deployments(advocates: list[Advocate], config_override: Any) -> None:
    config_override(escrow_threshold=3)
    client = client_signed_in(account_make())
    assert b"&quot;threshold&quot;: 3" in client.get("/escrow/new").content or (
        b'"threshold": 3' in client.get("/escrow/new").content
    )
    body = {
        "entries": [
            entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates, t=3)
        ]
    }
    assert post_entries(client, body).status_code == 201
    assert Entry.objects.get().threshold == 3


def test_the_list_shows_waiting_and_matched_entries(advocates: list[Advocate]) -> None:
    mine = account_make()
    client = client_signed_in(mine)
    assert b"You have not named anyone yet" in client.get("/escrow").content
    other = client_signed_in(account_make())
    post_entries(
        client,
        {
            "entries": [
                entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates)
            ]
        },
    )
    html = client.get("/escrow").content.decode()
    assert 'data-escrow-state="waiting"' in html
    assert "Withdraw" in html
    post_entries(
        other,
        {
            "entries": [
                entry_json(sid=secrets.token_bytes(32), identifier=PHONE, advocates=advocates)
            ]
        },
    )
    services.matching_run()
    html = client.get("/escrow").content.decode()
    assert "Matched: an advocate will reach you" in html
    assert 'data-escrow-state="waiting"' not in html
    assert "Withdraw" not in html


# --- withdrawal ----------------------------------------------------------------------------


def _entry_of(client: Client, advocates: list[Advocate], identifier: bytes = PHONE) -> Entry:
    body = {
        "entries": [
            entry_json(sid=secrets.token_bytes(32), identifier=identifier, advocates=advocates)
        ]
    }
    assert post_entries(client, body).status_code == 201
    return Entry.objects.order_by("-pk")[0]


def test_a_survivor_withdraws_their_entry_and_its_envelopes_are_deleted(
    advocates: list[Advocate],
) -> None:
    client = client_signed_in(account_make())
    entry = _entry_of(client, advocates)
    response = client.post(f"/escrow/{entry.pk}/withdraw")
    assert response.status_code == 302
    assert response["Location"] == "/escrow?withdrawn=1"
    assert stored() == (0, 0)
    assert b"withdrawn and deleted" in client.get("/escrow?withdrawn=1").content


def test_a_withdrawn_entry_never_matches(advocates: list[Advocate], mailoutbox: list[Any]) -> None:
    first = client_signed_in(account_make())
    entry = _entry_of(first, advocates)
    assert first.post(f"/escrow/{entry.pk}/withdraw").status_code == 302
    _entry_of(client_signed_in(account_make()), advocates)
    services.matching_run()
    assert Match.objects.count() == 0
    assert mailoutbox == []


def _uniform_404(response: Any) -> str:
    assert response.status_code == 404
    return str(response.content)


def test_withdrawing_someone_elses_a_matched_or_a_missing_entry_is_the_same_404(
    advocates: list[Advocate],
) -> None:
    owner = client_signed_in(account_make())
    stranger = client_signed_in(account_make())
    theirs = _entry_of(owner, advocates)
    other_person = _entry_of(stranger, advocates, identifier_input("+12025550123"))
    answers = {
        "someone else's": _uniform_404(stranger.post(f"/escrow/{theirs.pk}/withdraw")),
        "missing": _uniform_404(stranger.post("/escrow/999999/withdraw")),
    }
    _entry_of(stranger, advocates)  # the same person as the owner's: a match
    services.matching_run()
    answers["matched"] = _uniform_404(owner.post(f"/escrow/{theirs.pk}/withdraw"))
    assert len(set(answers.values())) == 1
    assert Entry.objects.filter(pk=theirs.pk).exists()
    assert Entry.objects.filter(pk=other_person.pk).exists()
    assert Envelope.objects.filter(entry=theirs).count() == 2


def test_withdrawal_needs_a_signed_in_survivor_and_a_post(advocates: list[Advocate]) -> None:
    client = client_signed_in(account_make())
    entry = _entry_of(client, advocates)
    assert Client().post(f"/escrow/{entry.pk}/withdraw").status_code == 302
    assert client.get(f"/escrow/{entry.pk}/withdraw").status_code == 405
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_the_page_pins_both_key_servers_when_a_second_is_configured(
    advocates: list[Advocate], config_override: Any
) -> None:
    second = oprf.generate_key_pair().pk
    config_override(
        keyserver_url="http://127.0.0.1:9/",
        keyserver_public_key=second,
        keyserver_token="t" * 40,
    )
    html = client_signed_in(account_make()).get("/escrow/new").content.decode()
    assert oprf.public_key(settings.CONFIG.oprf_key).hex() in html
    assert second.hex() in html
