"""One account cannot flood an organisation: at most REPORTS_PER_HOUR reports and
MESSAGES_PER_HOUR messages an hour, each refused one a clear 429 with nothing stored or mailed
(found by review: 50 reports in a loop made 50 mails)."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from chorus.public.limits import MESSAGES_PER_HOUR, REPORTS_PER_HOUR
from chorus.reports.models import Case, Message
from tests.escrow.factories import account_make
from tests.orgs.helpers import Org, org_with_staff
from tests.reports.factories import post_json, send
from tests.reports.helpers import report_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


def test_an_account_sends_at_most_so_many_reports_an_hour(acme: Org) -> None:
    account = account_make()
    first = send(acme, account=account)
    for _ in range(REPORTS_PER_HOUR - 1):
        send(acme, account=account)
    keys = list(first.keys.values())
    data, _key, _ref = report_request(
        slug=acme.organisation.slug,
        keys=[(k.pk, k.suite, bytes(k.public_key)) for k in keys],
        excluded=[],
        mode="anonymous",
        text="one too many",
    )
    mails = len(mail.outbox)
    response = first.reporter.post("/reports", json.dumps(data), content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "many reports" in response.json()["message"]
    assert Case.objects.filter(reporter_account=account).count() == REPORTS_PER_HOUR
    assert len(mail.outbox) == mails
    # Another survivor is not held back.
    send(acme)


def test_a_refused_report_does_not_use_up_the_allowance(acme: Org) -> None:
    sent = send(acme)
    bad = sent.reporter.post("/reports", "{}", content_type="application/json")
    assert bad.status_code == 400
    for _ in range(REPORTS_PER_HOUR - 1):
        send(acme, account=sent.account)  # every one of the allowance still goes through


def test_an_account_writes_at_most_so_many_messages_an_hour(acme: Org) -> None:
    sent = send(acme)
    for n in range(1, MESSAGES_PER_HOUR + 1):
        assert post_json(sent.reporter, f"{sent.public}/messages", sent.entry(n)).status_code == 201
    response = post_json(
        sent.reporter, f"{sent.public}/messages", sent.entry(MESSAGES_PER_HOUR + 1)
    )
    assert response.status_code == 429
    assert "many messages" in response.json()["message"]
    assert Message.objects.count() == MESSAGES_PER_HOUR
