"""The together job under concurrency (SQLite and PostgreSQL): two runs at once release each
group once, and a withdrawal racing a run never leaves a released group below the threshold."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from chorus.accounts.models import Account
from chorus.orgs.models import HandlerKey
from chorus.reports.models import Case
from chorus.together import services
from chorus.together.errors import TogetherNotFoundError
from chorus.together.models import Group, HeldEntry
from tests.escrow.factories import account_make
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.together.helpers import held_request, phone

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*actions: Callable[[], Any]) -> list[BaseException]:
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def hold(org: Org, keys: list[HandlerKey], identifier: bytes) -> tuple[Account, Case]:
    account = account_make()
    held = held_request(
        organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32), identifier=identifier
    )
    case = services.held_send(account=account, held_input=services.held_input_parse(held.data))
    return account, case


def test_two_runs_at_once_release_each_group_once() -> None:
    org = org_with_staff("Acme Ltd", prefix="acme")
    keys = [key_for(org.admin)[0]]
    for n in range(4):
        for _ in range(2):
            hold(org, keys, phone(f"+4420794609{n:02d}"))
    assert _at_once(services.together_match_run, services.together_match_run) == []
    assert Group.objects.count() == 4
    assert not HeldEntry.objects.filter(group__isnull=True).exists()
    assert not HeldEntry.objects.filter(pending=True).exists()
    assert set(Case.objects.values_list("status", flat=True)) == {"received"}
    for group in Group.objects.all():
        assert group.entries.count() == 2


def test_a_withdrawal_racing_the_run_leaves_no_group_below_the_threshold() -> None:
    org = org_with_staff("Acme Ltd", prefix="acme")
    keys = [key_for(org.admin)[0]]
    account, first = hold(org, keys, phone())
    hold(org, keys, phone())

    def withdraw() -> None:
        # TogetherNotFoundError: the run released it first; then it is one of a group of two.
        with contextlib.suppress(TogetherNotFoundError):
            services.held_withdraw(account=account, case_ref=bytes(first.case_ref))

    assert _at_once(services.together_match_run, withdraw) == []
    if Case.objects.filter(pk=first.pk).exists():
        assert Group.objects.get().entries.count() == 2
        assert set(Case.objects.values_list("status", flat=True)) == {"received"}
    else:
        assert Group.objects.count() == 0
        services.together_match_run()
        assert Group.objects.count() == 0
        assert list(Case.objects.values_list("status", flat=True)) == ["held"]
