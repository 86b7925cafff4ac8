"""Security review of the escrow: body allowance, caps, the form, who receives envelopes."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import pytest
from django.test import Client

from chorus.escrow import services
from chorus.escrow.models import Entry, Envelope
from chorus.orgs.models import Membership, Organisation
from tests.escrow.factories import (
    Advocate,
    account_make,
    advocate_make,
    client_signed_in,
    entry_json,
    identifier_input,
)

pytestmark = pytest.mark.django_db


def _body(advocates: list[Advocate], n: int) -> bytes:
    sid = secrets.token_bytes(32)
    entries = [
        entry_json(sid=sid, identifier=identifier_input(f"+4420794609{i:02}"), advocates=advocates)
        for i in range(n)
    ]
    return json.dumps({"entries": entries}).encode()


def test_eight_identifiers_sealed_to_several_suite_2_keys_fit_although_over_16_kib() -> None:
    advocates = [advocate_make(suite=2, email=f"a{i}@example.org") for i in range(4)]
    body = _body(advocates, 8)
    assert len(body) > 16 * 1024  # over the site-wide limit: the route needs its own
    response = client_signed_in(account_make()).post(
        "/escrow/entries", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Entry.objects.count() == 8
    assert Envelope.objects.count() == 32


def test_a_body_over_the_entries_allowance_is_refused_as_json_and_nothing_stored() -> None:
    advocate_make()
    response = client_signed_in(account_make()).post(
        "/escrow/entries", b" " * (512 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "too large" in response.json()["message"]
    assert Entry.objects.count() == 0


def test_other_survivor_routes_keep_the_site_wide_limit() -> None:
    response = Client().post("/account/signin", b" " * 17_000, content_type="application/json")
    assert response.status_code == 413


def test_one_account_cannot_store_entries_without_end() -> None:
    # The server cannot tell an index the OPRF gave from random bytes, so without a cap one
    # account could fill the database (and the matching job) with entries that match nothing.
    advocates = [advocate_make()]
    account = account_make()
    client = client_signed_in(account)
    sid = secrets.token_bytes(32)
    stored = 0
    while stored < services.MAX_ENTRIES_PER_ACCOUNT:
        n = min(8, services.MAX_ENTRIES_PER_ACCOUNT - stored)
        entries = [
            entry_json(
                sid=sid,
                identifier=identifier_input(f"+44207946{stored + i:04}"),
                advocates=advocates,
            )
            for i in range(n)
        ]
        response = client.post(
            "/escrow/entries", json.dumps({"entries": entries}), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        stored += n
    one_more = entry_json(
        sid=sid, identifier=identifier_input("+447700900123"), advocates=advocates
    )
    response = client.post(
        "/escrow/entries", json.dumps({"entries": [one_more]}), content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_entries"
    assert "withdraw an entry" in response.json()["message"].lower()
    assert Entry.objects.count() == services.MAX_ENTRIES_PER_ACCOUNT
    assert Entry.objects.filter(account=account).count() == services.MAX_ENTRIES_PER_ACCOUNT


def test_no_field_of_the_naming_form_is_remembered_spell_checked_or_submittable() -> None:
    # Browsers keep autofill history of what is typed, and enhanced spell checking sends it to
    # a third party: neither may see a name, an identifier or a contact note. And a native
    # submission (before the page module runs) must carry none of them: no field has a name,
    # and the form never uses GET (which would put them in the URL and the history).
    advocate_make()
    html = client_signed_in(account_make()).get("/escrow/new").content.decode()
    form = html[html.index('<form class="escrow-form"') : html.index("</form>")]
    fields = re.findall(r"<(?:input|textarea)\b[^>]*>", form)
    assert len(fields) >= 6
    for field in fields:
        if 'type="hidden"' in field:
            continue
        assert 'autocomplete="off"' in field, field
        assert 'spellcheck="false"' in field, field
        assert " name=" not in field, field
    assert re.search(r"<select\b[^>]*\bname=", form) is None
    assert 'method="post"' in form.split(">", 1)[0]


def test_a_key_of_an_organisation_member_never_receives_an_envelope(
    mailoutbox: list[Any],
) -> None:
    # Such a key can no longer be made (the workspace refuses org members), but one made before
    # that fix must not go on receiving survivors' shares.
    advocate, member = advocate_make(), advocate_make(email="handler@example.org")
    acme = Organisation.objects.create(slug="acme", name="Acme")
    Membership.objects.create(
        organisation=acme, user=member.key.advocate, role="handler", display_name="H"
    )
    client = client_signed_in(account_make())
    html = client.get("/escrow/new").content.decode()
    assert f'"id": {advocate.key.pk}' in html
    assert f'"id": {member.key.pk}' not in html
    response = client.post(
        "/escrow/entries",
        json.dumps(
            {
                "entries": [
                    entry_json(
                        sid=secrets.token_bytes(32),
                        identifier=identifier_input("+447700900123"),
                        advocates=[advocate],
                    )
                ]
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Envelope.objects.filter(key=member.key).count() == 0
    again = entry_json(
        sid=secrets.token_bytes(32),
        identifier=identifier_input("+447700900123"),
        advocates=[advocate],
    )
    response = client_signed_in(account_make()).post(
        "/escrow/entries", json.dumps({"entries": [again]}), content_type="application/json"
    )
    assert response.status_code == 201
    services.matching_run()
    assert [m.to for m in mailoutbox] == [["advocate@example.org"]]  # nor is the member told
