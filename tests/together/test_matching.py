"""The matching job releases a together group only when t distinct survivors named the same
person to the same organisation; never one survivor alone, twice, or after withdrawing."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chorus.cli import main as cli
from chorus.orgs.models import HandlerKey
from chorus.reports.models import Case
from chorus.together import services
from chorus.together.models import Group, HeldEntry
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.together.helpers import held_request, phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def keys(org: Org) -> list[HandlerKey]:
    return [key_for(org.admin)[0], key_for(org.handler)[0]]


def send(
    org: Org, keys: list[HandlerKey], *, identifier: bytes | None = None
) -> tuple[Client, str]:
    client = client_signed_in(account_make())
    held = held_request(
        organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32), identifier=identifier
    )
    response = client.post(
        "/reports/together", json.dumps(held.data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return client, held.case_ref.hex()


def statuses() -> list[str]:
    return sorted(Case.objects.values_list("status", flat=True))


def test_two_survivors_naming_the_same_person_are_released_together(
    org: Org, keys: list[HandlerKey]
) -> None:
    send(org, keys)
    send(org, keys)
    before = timezone.now().date()
    result = services.together_match_run()
    after = timezone.now().date()
    assert result == services.MatchingResult(entries_checked=2, groups_found=1, cases_released=2)
    assert statuses() == ["received", "received"]
    group = Group.objects.get()
    assert group.organisation == org.organisation
    assert {e.group for e in HeldEntry.objects.all()} == {group}
    # The day the job ran (midnight UTC may pass while it runs: the day is read once, at its start).
    assert {c.released_day for c in Case.objects.all()} == {group.found_day}
    assert before <= group.found_day <= after
    assert not HeldEntry.objects.filter(pending=True).exists()


def test_a_single_survivor_is_never_released(org: Org, keys: list[HandlerKey]) -> None:
    send(org, keys)
    assert services.together_match_run().cases_released == 0
    assert services.together_match_run().entries_checked == 0
    assert statuses() == ["held"]
    assert not Group.objects.exists()


def test_different_people_do_not_group(org: Org, keys: list[HandlerKey]) -> None:
    send(org, keys, identifier=phone("+442079460958"))
    send(org, keys, identifier=phone("+442079460959"))
    services.together_match_run()
    assert statuses() == ["held", "held"]


def test_the_same_person_at_two_organisations_does_not_group(
    org: Org, keys: list[HandlerKey]
) -> None:
    other = org_with_staff("Other", prefix="other")
    send(org, keys)
    send(other, [key_for(other.admin)[0]])
    services.together_match_run()
    assert statuses() == ["held", "held"]


def test_one_survivor_reporting_twice_never_releases(org: Org, keys: list[HandlerKey]) -> None:
    account, sid = account_make(), secrets.token_bytes(32)
    client = client_signed_in(account)
    for _ in range(2):
        held = held_request(organisation=org.organisation, keys=keys, sid=sid)
        client.post("/reports/together", json.dumps(held.data), content_type="application/json")
    services.together_match_run()
    assert statuses() == ["held"]


def test_a_withdrawn_report_never_releases(org: Org, keys: list[HandlerKey]) -> None:
    client, ref = send(org, keys)
    response = client.post(f"/reports/together/{ref}/withdraw")
    assert response.status_code == 302
    assert response["Location"] == "/reports/together?withdrawn=1"
    send(org, keys)
    services.together_match_run()
    assert statuses() == ["held"]
    assert HeldEntry.objects.count() == 1


def test_a_later_survivor_joins_a_released_group(org: Org, keys: list[HandlerKey]) -> None:
    send(org, keys)
    send(org, keys)
    services.together_match_run()
    send(org, keys)
    result = services.together_match_run()
    assert result == services.MatchingResult(entries_checked=1, groups_found=0, cases_released=1)
    assert statuses() == ["received"] * 3
    assert Group.objects.get().entries.count() == 3


def test_a_threshold_of_three_needs_three(
    org: Org, keys: list[HandlerKey], config_override: Any
) -> None:
    config_override(escrow_threshold=3)
    send(org, keys)
    send(org, keys)
    services.together_match_run()
    assert statuses() == ["held", "held"]
    send(org, keys)
    services.together_match_run()
    assert statuses() == ["received"] * 3
    assert {e.threshold for e in HeldEntry.objects.all()} == {3}


def test_the_command_prints_counts_only(
    org: Org, keys: list[HandlerKey], capsys: pytest.CaptureFixture[str]
) -> None:
    send(org, keys)
    send(org, keys)
    assert cli.main(["together-match"]) == 0
    out = capsys.readouterr().out
    assert "Checked 2 new together reports: 1 new groups, 2 reports released." in out
    assert bytes(Group.objects.get().index).hex() not in out
    assert org.organisation.slug not in out


def test_members_holding_a_share_get_one_mail_naming_nothing(
    org: Org,
    keys: list[HandlerKey],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    org.handler.email = "handler@acme.example"
    org.handler.save(update_fields=["email"])
    other = org_with_staff("Other", prefix="other")
    other.admin.email = "admin@other.example"
    other.admin.save(update_fields=["email"])
    key_for(other.admin)
    send(org, keys)
    with django_capture_on_commit_callbacks(execute=True):
        services.together_match_run()
    assert mailoutbox == []  # held: nobody is told anything
    send(org, keys)
    with django_capture_on_commit_callbacks(execute=True):
        services.together_match_run()
    assert [m.to for m in mailoutbox] == [["handler@acme.example"]]
    text = mailoutbox[0].subject + mailoutbox[0].body
    assert "Acme" not in text
    assert Case.objects.first().case_ref.hex() not in text  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        services.together_match_run()
    assert len(mailoutbox) == 1
