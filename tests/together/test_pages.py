"""The survivor's together pages: choose an organisation, the setup the browser needs, the list
with withdrawal; every refusal of a withdrawal is the same 404."""

from __future__ import annotations

import json
import secrets

import pytest
from django.conf import settings
from django.test import Client

from chorus.orgs.models import HandlerKey
from chorus.reports.models import Case
from chorus.together import services
from chorus.together.models import HeldEntry, HeldShare
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.together.helpers import held_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def keys(org: Org) -> list[HandlerKey]:
    return [key_for(org.admin)[0], key_for(org.handler)[0]]


def send(client: Client, org: Org, keys: list[HandlerKey]) -> str:
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    response = client.post(
        "/reports/together", json.dumps(held.data), content_type="application/json"
    )
    assert response.status_code == 201
    return held.case_ref.hex()


def test_signed_out_pages_send_to_sign_in() -> None:
    for url in ("/reports/together", "/reports/together/new", "/reports/together/new?org=acme"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == "/account/signin"


def test_the_first_step_asks_for_the_short_name_and_lists_no_organisation(
    org: Org, keys: list[HandlerKey]
) -> None:
    client = client_signed_in(account_make())
    response = client.get("/reports/together/new?record=7")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Ltd" not in page
    assert 'value="acme-ltd"' not in page
    assert 'name="record" value="7"' in page
    assert response["Cache-Control"] == "no-store"
    assert "Leave this site" in page
    unknown = client.get("/reports/together/new?org=nobody%3Cb%3E&record=7")
    assert unknown.status_code == 404
    assert "There is no organisation with this short name" in unknown.content.decode()
    assert "nobody<b>" not in unknown.content.decode()


def test_the_new_page_carries_the_escrow_scope_threshold_and_keys(
    org: Org, keys: list[HandlerKey]
) -> None:
    response = client_signed_in(account_make()).get("/reports/together/new?org=acme-ltd&record=3")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    setup = json.loads(
        response.content.decode()
        .split('id="together-setup" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert setup["ctx"] == f"org:{org.organisation.pk}"
    assert setup["threshold"] == settings.CONFIG.escrow_threshold
    assert [k["id"] for k in setup["keys"]] == [k.pk for k in keys]
    assert setup["org"] == {"slug": "acme-ltd", "name": "Acme Ltd"}
    assert setup["record_url"] == "/records/3/envelope"
    assert setup["send_url"] == "/reports/together"


def test_an_organisation_without_keys(org: Org) -> None:
    client = client_signed_in(account_make())
    response = client.get("/reports/together/new?org=acme-ltd")
    assert response.status_code == 503
    assert "data-together-not-ready" in response.content.decode()


def test_the_list_shows_held_and_delivered_reports_and_withdraws_held_ones(
    org: Org, keys: list[HandlerKey]
) -> None:
    client = client_signed_in(account_make())
    ref = send(client, org, keys)
    page = client.get("/reports/together").content.decode()
    assert f'data-together-case="{ref}"' in page
    assert 'data-together-state="held"' in page
    response = client.post(f"/reports/together/{ref}/withdraw")
    assert response.status_code == 302
    assert not Case.objects.exists()
    assert not HeldEntry.objects.exists()
    assert not HeldShare.objects.exists()
    assert "withdrawn and deleted" in client.get(response["Location"]).content.decode()


def test_a_released_report_cannot_be_withdrawn_and_shows_delivered(
    org: Org, keys: list[HandlerKey]
) -> None:
    client = client_signed_in(account_make())
    ref = send(client, org, keys)
    send(client_signed_in(account_make()), org, keys)
    services.together_match_run()
    assert 'data-together-state="delivered"' in client.get("/reports/together").content.decode()
    response = client.post(f"/reports/together/{ref}/withdraw")
    assert response.status_code == 404
    assert Case.objects.count() == 2


def test_withdrawing_another_survivors_report_or_a_bad_reference_is_the_same_404(
    org: Org, keys: list[HandlerKey]
) -> None:
    ref = send(client_signed_in(account_make()), org, keys)
    stranger = client_signed_in(account_make())
    bodies = set()
    for target in (ref, "ab" * 16, "not-a-ref", "AB" * 16):
        response = stranger.post(f"/reports/together/{target}/withdraw")
        assert response.status_code == 404
        bodies.add(
            response.content.decode().split("<main")[1]
            if "<main" in response.content.decode()
            else response.content.decode()
        )
    assert len(bodies) == 1
    assert Case.objects.count() == 1
    assert Client().post(f"/reports/together/{ref}/withdraw").status_code == 302
    assert Case.objects.count() == 1


def test_a_malformed_record_number_is_ignored(org: Org, keys: list[HandlerKey]) -> None:
    client = client_signed_in(account_make())
    for value in ("abc", "-1", "1" * 19, "1.5"):
        response = client.get(f"/reports/together/new?org=acme-ltd&record={value}")
        assert response.status_code == 200
        assert '"record_url": null' in response.content.decode()
