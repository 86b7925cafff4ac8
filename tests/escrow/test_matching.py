"""The matching job, withdrawal rules and retention, through the escrow services."""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chorus.escrow import access, retention, services
from chorus.escrow.errors import EntryDuplicateError, EntryInvalidError, EntryNotFoundError
from chorus.escrow.models import Entry, Envelope, Match
from chorus.escrow.services import EntryInput
from tests.escrow.factories import Advocate, account_make, advocate_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def advocate() -> Advocate:
    return advocate_make()


def submit(advocate: Advocate, index: bytes, *, account: Any = None) -> Entry:
    sealed = b"\x01\x01" + bytes(services.sealed_minimum(1) - 2)
    return services.entry_submit(
        account=account or account_make(), index=index, envelopes={advocate.key.pk: sealed}
    )


def test_a_single_survivor_never_matches(advocate: Advocate, mailoutbox: list[Any]) -> None:
    submit(advocate, b"\x01" * 32)
    result = services.matching_run()
    assert result == services.MatchingResult(entries_checked=1, matches_found=0, entries_matched=0)
    assert Match.objects.count() == 0
    assert mailoutbox == []


def test_two_survivors_match_and_advocates_learn_only_that_a_match_exists(
    advocate: Advocate, mailoutbox: list[Any]
) -> None:
    index = secrets.token_bytes(32)
    first, second = submit(advocate, index), submit(advocate, index)
    submit(advocate, secrets.token_bytes(32))
    result = services.matching_run()
    assert result.matches_found == 1
    assert result.entries_matched == 2
    match = Match.objects.get()
    assert bytes(match.index) == index
    assert set(match.entries.all()) == {first, second}
    assert not Entry.objects.filter(pending=True).exists()
    [mail] = mailoutbox
    assert mail.to == ["advocate@example.org"]
    assert "a match exists" in mail.subject.lower()
    text = mail.subject + mail.body
    assert index.hex() not in text
    assert "2" not in text  # no count


def test_the_threshold_is_configurable(
    advocate: Advocate, config_override: Any, mailoutbox: list[Any]
) -> None:
    config_override(escrow_threshold=3)
    index = secrets.token_bytes(32)
    submit(advocate, index)
    submit(advocate, index)
    services.matching_run()
    assert Match.objects.count() == 0
    submit(advocate, index)
    result = services.matching_run()
    assert result.matches_found == 1
    assert Match.objects.get().entries.count() == 3
    assert len(mailoutbox) == 1


def test_a_later_entry_joins_the_existing_match(advocate: Advocate, mailoutbox: list[Any]) -> None:
    index = secrets.token_bytes(32)
    submit(advocate, index)
    submit(advocate, index)
    services.matching_run()
    late = submit(advocate, index)
    result = services.matching_run()
    assert result == services.MatchingResult(entries_checked=1, matches_found=0, entries_matched=1)
    late.refresh_from_db()
    assert late.match == Match.objects.get()
    assert len(mailoutbox) == 2


def test_a_run_with_nothing_new_does_nothing(advocate: Advocate, mailoutbox: list[Any]) -> None:
    index = secrets.token_bytes(32)
    submit(advocate, index)
    submit(advocate, index)
    services.matching_run()
    assert services.matching_run() == services.MatchingResult(0, 0, 0)
    assert len(mailoutbox) == 1


def test_entries_across_batches_still_match(
    advocate: Advocate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MATCH_BATCH", 2)
    index = secrets.token_bytes(32)
    submit(advocate, index)
    for _ in range(3):
        submit(advocate, secrets.token_bytes(32))
    submit(advocate, index)
    result = services.matching_run()
    assert result.entries_checked == 5
    assert Match.objects.get().entries.count() == 2


def test_the_check_for_a_new_entry_costs_the_same_queries_whatever_is_stored(
    advocate: Advocate,
) -> None:
    def queries_for_one_new_entry() -> int:
        submit(advocate, secrets.token_bytes(32))
        with CaptureQueriesContext(connection) as captured:
            services.matching_run()
        return len(captured)

    small = queries_for_one_new_entry()
    for _ in range(50):
        submit(advocate, secrets.token_bytes(32))
    services.matching_run()
    assert queries_for_one_new_entry() == small


def test_the_pending_and_index_lookups_can_use_their_database_indexes(advocate: Advocate) -> None:
    """The job reads pending rows and the rows sharing their indexes, never the whole table.

    PostgreSQL prefers a scan on a small table, so it is told not to: the plan must then name
    the index (at scale, bench/escrow.py shows the cost staying flat).
    """
    submit(advocate, secrets.token_bytes(32))
    pending = Entry.objects.filter(pending=True).order_by("pk").values_list("pk")[:10]
    same_index = Entry.objects.filter(index__in=[b"\x00" * 32])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert "escrow_entry_pending" in pending.explain()
    assert "escrow_entry_index" in same_index.explain()


def test_withdrawal_before_a_match_deletes_the_entry_and_its_envelopes(advocate: Advocate) -> None:
    account = account_make()
    entry = submit(advocate, secrets.token_bytes(32), account=account)
    services.entry_withdraw(account=account, entry_id=entry.pk)
    assert not Entry.objects.exists()
    assert not Envelope.objects.exists()


@pytest.mark.parametrize("case", ["missing", "someone else's", "matched"])
def test_access_refuses_uniformly(advocate: Advocate, case: str) -> None:
    account = account_make()
    index = secrets.token_bytes(32)
    entry = submit(advocate, index, account=account)
    entry_id = entry.pk
    if case == "missing":
        entry_id += 1000
    elif case == "someone else's":
        account = account_make()
    else:
        submit(advocate, index)
        services.matching_run()
    with pytest.raises(EntryNotFoundError) as raised:
        access.access_entry_for_withdrawal(account=account, entry_id=entry_id)
    assert raised.value.status == 404
    assert raised.value.message == "There is no entry of yours that can be withdrawn here."


def test_access_gives_the_owner_their_unmatched_entry(advocate: Advocate) -> None:
    account = account_make()
    entry = submit(advocate, secrets.token_bytes(32), account=account)
    assert access.access_entry_for_withdrawal(account=account, entry_id=entry.pk) == entry


def test_erasing_an_account_removes_its_unmatched_entries(advocate: Advocate) -> None:
    account = account_make()
    matched_index = secrets.token_bytes(32)
    submit(advocate, matched_index, account=account)
    submit(advocate, matched_index)
    services.matching_run()
    submit(advocate, secrets.token_bytes(32), account=account)
    assert retention.entries_erase(account=account) == 1
    assert Entry.objects.filter(account=account).count() == 1


def test_a_bad_entry_among_good_ones_stores_nothing(advocate: Advocate) -> None:
    sealed = b"\x01\x01" + bytes(services.sealed_minimum(1) - 2)
    good = EntryInput(index=secrets.token_bytes(32), envelopes={advocate.key.pk: sealed})
    bad = EntryInput(index=secrets.token_bytes(31), envelopes={advocate.key.pk: sealed})
    with pytest.raises(EntryInvalidError):
        services.entries_submit(account=account_make(), entries=[good, bad])
    with pytest.raises(EntryInvalidError):
        services.entries_submit(account=account_make(), entries=[])
    assert not Entry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_survivors_submitting_the_same_index_at_once_make_exactly_one_match(
    mailoutbox: list[Any],
) -> None:
    advocate = advocate_make()
    index = secrets.token_bytes(32)
    accounts = [account_make(), account_make()]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def survivor(account: Any) -> None:
        try:
            barrier.wait()
            submit(advocate, index, account=account)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=survivor, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Entry.objects.filter(index=index).count() == 2
    services.matching_run()
    services.matching_run()
    assert Match.objects.count() == 1
    assert Match.objects.get().entries.count() == 2
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_one_survivor_submitting_twice_at_once_stores_one_entry() -> None:
    advocate = advocate_make()
    index = secrets.token_bytes(32)
    account = account_make()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            submit(advocate, index, account=account)
            outcomes.append("stored")
        except EntryDuplicateError:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate", "stored"]
    assert Entry.objects.count() == 1
