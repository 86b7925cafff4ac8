"""The survivor's report pages (reports.md §11.2 "Pages"): who may see them, what they carry.

The pages only render and name the JSON addresses; reading and sending happen in the browser
(tests/browser/test_reports.py). A record or case that is not the survivor's is one uniform 404.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from chorus.reports.models import Case
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.records.helpers import record_body
from tests.reports.helpers import report_request

pytestmark = pytest.mark.django_db


def setup_of(response: Any, name: str) -> Any:
    """The page's json_script block, parsed."""
    found = re.search(
        rf'<script id="{name}" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert found is not None
    return json.loads(found.group(1))


def record_of(client: Client) -> int:
    response = client.post(
        "/records/envelopes", record_body(secrets.token_bytes(32)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    record: int = response.json()["record"]
    return record


@pytest.fixture
def org() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


def case_of(client: Client, org: Org) -> str:
    key = org.handler.keys.first() or key_for(org.handler)[0]
    data, _ck, case_ref = report_request(
        slug=org.organisation.slug, keys=[(key.pk, key.suite, bytes(key.public_key))]
    )
    response = client.post("/reports", json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    return case_ref.hex()


def test_the_new_report_page_names_the_record_and_the_addresses_it_uses() -> None:
    client = client_signed_in(account_make())
    record = record_of(client)
    response = client.get(f"/reports/new?record={record}&org=acme-ltd")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "Leave this site" in text
    assert "<noscript>" in text
    setup = setup_of(response, "report-setup")
    assert setup["record"] == record
    assert setup["envelope_url"] == f"/records/{record}/envelope"
    assert setup["keys_url"] == "/orgs/"
    assert setup["send_url"] == "/reports"
    assert setup["cases_url"] == "/cases"
    assert setup["org"] == "acme-ltd"
    assert setup["together_url"] == f"/reports/together/new?record={record}"
    assert [q[0] for q in setup["questions"]] == [
        "what", "when", "where", "who", "witnesses", "impact"
    ]  # fmt: skip


def test_the_record_page_links_to_sending_it() -> None:
    client = client_signed_in(account_make())
    record = record_of(client)
    text = client.get(f"/records/{record}").content.decode()
    assert f'href="/reports/new?record={record}"' in text


@pytest.mark.parametrize(
    "query",
    ["", "?record=", "?record=abc", "?record=0", "?record=-1", "?record=99999999999999999999"],
)
def test_the_new_report_page_without_a_valid_record_is_a_404(query: str) -> None:
    response = client_signed_in(account_make()).get(f"/reports/new{query}")
    assert response.status_code == 404
    assert "There is no such record among yours" in response.content.decode()


def test_another_survivors_record_or_case_is_the_same_404(org: Org) -> None:
    owner = client_signed_in(account_make())
    record = record_of(owner)
    ref = case_of(owner, org)
    other = client_signed_in(account_make())
    response = other.get(f"/reports/new?record={record}")
    assert response.status_code == 404
    missing = other.get(f"/reports/new?record={record + 1000}")
    assert missing.status_code == 404
    assert response.content == missing.content
    theirs = other.get(f"/cases/{ref}")
    nowhere = other.get(f"/cases/{secrets.token_bytes(16).hex()}")
    malformed = other.get("/cases/not-a-reference")
    assert theirs.status_code == nowhere.status_code == malformed.status_code == 404
    assert theirs.content == nowhere.content == malformed.content
    assert owner.get(f"/cases/{ref}").status_code == 200


def test_the_case_page_names_the_case_and_has_the_supporters_place(org: Org) -> None:
    client = client_signed_in(account_make())
    ref = case_of(client, org)
    response = client.get(f"/cases/{ref}?sent=1")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "Your report to Acme Ltd" in text
    assert "data-case-sent" in text
    assert "Leave this site" in text
    assert "<noscript>" in text
    setup = setup_of(response, "case-setup")
    assert setup["case"] == ref
    assert setup["slug"] == org.organisation.slug
    assert setup["role"] == "reporter"
    assert setup["data_url"] == f"/reports/cases/{ref}"
    assert setup["messages_url"] == f"/reports/cases/{ref}/messages"
    assert set(setup["statuses"]) == {s for s, _label in Case.Status.choices}
    assert "data-case-sent" not in client.get(f"/cases/{ref}").content.decode()
    assert "<dd data-case-readers>Acme Ltd handler</dd>" in text
    assert "<dd data-case-excluded>Nobody</dd>" in text
    assert setup["expires"] is None


def test_a_closed_case_page_says_when_it_will_be_erased(org: Org) -> None:
    client = client_signed_in(account_make())
    ref = case_of(client, org)
    case = Case.objects.get()
    case.status = Case.Status.CLOSED
    case.expires = datetime(2027, 2, 26, 9, 30, tzinfo=UTC)
    case.save()
    assert setup_of(client.get(f"/cases/{ref}"), "case-setup")["expires"] == "2027-02-26T09:30Z"


def test_the_account_page_links_to_the_reports() -> None:
    text = client_signed_in(account_make()).get("/account").content.decode()
    assert 'href="/cases"' in text


def test_the_list_shows_sent_supported_and_held_cases_without_javascript(org: Org) -> None:
    client = client_signed_in(account_make())
    response = client.get("/cases")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "data-cases-empty" in text
    assert "Leave this site" in text
    assert "<script" not in text.split("</head>", 1)[1]  # no page script: nothing to decrypt
    ref = case_of(client, org)
    closed = case_of(client, org)
    Case.objects.filter(case_ref=bytes.fromhex(closed)).update(
        status=Case.Status.CLOSED, expires=datetime(2027, 2, 26, 9, 30, tzinfo=UTC)
    )
    held = case_of(client, org)
    Case.objects.filter(case_ref=bytes.fromhex(held)).update(status=Case.Status.HELD)
    other = case_of(client_signed_in(account_make()), org)
    text = client.get("/cases").content.decode()
    assert f'href="/cases/{ref}"' in text
    assert f'href="/cases/{closed}"' in text
    assert "will be erased on 26 February 2027" in text
    assert f'data-case="{held}"' in text
    assert f'href="/cases/{held}"' not in text  # a held report is seen and withdrawn elsewhere
    assert 'href="/reports/together"' in text
    assert other not in text
    assert "data-cases-empty" not in text


@pytest.mark.parametrize("path", ["/reports/new?record=1", "/cases", f"/cases/{'ab' * 16}"])
def test_pages_send_a_signed_out_visitor_to_sign_in(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == "/account/signin"


@pytest.mark.parametrize("path", ["/reports/new?record=1", "/cases", f"/cases/{'ab' * 16}"])
def test_pages_refuse_posts(path: str) -> None:
    assert client_signed_in(account_make()).post(path).status_code == 405
