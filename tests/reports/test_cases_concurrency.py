"""Case writes at the same moment (SQLite and PostgreSQL): two messages or notes numbered alike
store one and refuse the other with a conflict (the case row is locked while the next number is
checked)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from chorus.reports import services
from chorus.reports.errors import ReportConflictError
from chorus.reports.models import Message, Note
from tests.orgs.helpers import Org, org_with_staff
from tests.reports.factories import Sent, send
from tests.reports.helpers import entry_box

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*actions: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(action())
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def sent(settings: Any) -> Sent:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org: Org = org_with_staff("Acme Ltd", prefix="acme")
    return send(org)


def _item(sent: Sent, n: int, *, note: bool = False) -> services.NumberedBox:
    box = entry_box(
        case_key=sent.case_key, slug=sent.slug, case_ref=sent.case_ref, n=n, text="x", note=note
    )
    return services.NumberedBox(n=n, box=box)


def test_two_messages_numbered_alike_store_one_and_conflict_the_other(sent: Sent) -> None:
    results, errors = _at_once(
        lambda: services.survivor_message_add(
            account=sent.account, case_ref=sent.case_ref, item=_item(sent, 1)
        ),
        lambda: services.member_message_add(
            membership=sent.org.handler, case_ref=sent.case_ref, item=_item(sent, 1)
        ),
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [ReportConflictError]
    assert list(Message.objects.values_list("number", flat=True)) == [1]


def test_two_notes_numbered_alike_store_one_and_conflict_the_other(sent: Sent) -> None:
    results, errors = _at_once(
        *(
            lambda who=who: services.note_add(
                membership=who, case_ref=sent.case_ref, item=_item(sent, 1, note=True)
            )
            for who in (sent.org.admin, sent.org.handler)
        )
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [ReportConflictError]
    assert Note.objects.count() == 1
