"""The matching job under concurrency: two runs at once, and a withdrawal racing a run."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from chorus.escrow import services
from chorus.escrow.errors import EntryNotFoundError
from chorus.escrow.models import Entry, Match
from tests.escrow.factories import account_make, advocate_make
from tests.escrow.test_matching import submit

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


def test_two_matching_runs_at_once_make_each_match_once(mailoutbox: list[Any]) -> None:
    advocate = advocate_make()
    indexes = [secrets.token_bytes(32) for _ in range(5)]
    for index in indexes:
        for _ in range(2):
            submit(advocate, index, account=account_make())
    assert _at_once(services.matching_run, services.matching_run) == []
    assert Match.objects.count() == 5
    assert Entry.objects.filter(match__isnull=True).count() == 0
    assert Entry.objects.filter(pending=True).count() == 0
    for match in Match.objects.all():
        assert match.entries.count() == 2
    assert 1 <= len(mailoutbox) <= 2  # one message per run that found something


def test_a_withdrawal_racing_the_run_leaves_no_match_below_the_threshold() -> None:
    advocate = advocate_make()
    index = secrets.token_bytes(32)
    first = submit(advocate, index, account=account_make())
    submit(advocate, index, account=account_make())

    def withdraw() -> None:
        # EntryNotFoundError: the run matched it first; then it is part of a match of two.
        with contextlib.suppress(EntryNotFoundError):
            services.entry_withdraw(account=first.account, entry_id=first.pk)

    assert _at_once(services.matching_run, withdraw) == []
    if Entry.objects.filter(pk=first.pk).exists():
        assert Match.objects.get().entries.count() == 2
    else:
        assert Match.objects.count() == 0
        services.matching_run()
        assert Match.objects.count() == 0
