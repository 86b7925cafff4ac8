"""Held together reports go away with their survivor's erasure; released ones stay cases."""

from __future__ import annotations

import json
import secrets

import pytest

from chorus.reports.models import Case
from chorus.together import retention, services
from chorus.together.models import HeldEntry, HeldShare
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import key_for, org_with_staff
from tests.together.helpers import held_request, phone

pytestmark = pytest.mark.django_db


def test_erasing_a_survivor_deletes_their_held_reports_only() -> None:
    org = org_with_staff("Acme Ltd", prefix="acme")
    keys = [key_for(org.admin)[0]]
    account, other = account_make(), account_make()
    for who, identifier in [(account, phone()), (other, phone()), (account, phone("+15550100"))]:
        held = held_request(
            organisation=org.organisation,
            keys=keys,
            sid=secrets.token_bytes(32),
            identifier=identifier,
        )
        response = client_signed_in(who).post(
            "/reports/together", json.dumps(held.data), content_type="application/json"
        )
        assert response.status_code == 201
    services.together_match_run()  # the first two name the same person: released
    assert retention.held_erase(account=account) == 1
    assert Case.objects.filter(reporter_account=account).get().status == "received"
    assert HeldEntry.objects.count() == 2
    assert HeldShare.objects.count() == 2
    account.delete()
    assert list(Case.objects.values_list("reporter_account", flat=True)) == [other.pk]
    assert HeldEntry.objects.count() == 1
