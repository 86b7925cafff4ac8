"""Supporter invitations under concurrency: one link accepted twice at once is spent once, and
invitations made at once never pass the limit of live supporters (SQLite and PostgreSQL)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from chorus.orgs.models import Organisation
from chorus.reports import support
from chorus.reports.errors import ReportError
from chorus.reports.models import Supporter
from tests.escrow.factories import account_make
from tests.reports.test_support import Sent, accept_token, new_invite, sent_case

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


def _invite(sent: Sent) -> tuple[bytes, bytes]:
    invite_id, secret = new_invite()
    support.supporter_invite(
        account=sent.reporter.account,
        case_ref=bytes(sent.case.case_ref),
        invite_input=support.InviteInput(
            invite_id=invite_id, box=b"\x01" + secrets.token_bytes(60), can_write=True
        ),
    )
    return invite_id, secret


def _accept_input(secret: bytes) -> support.AcceptInput:
    return support.AcceptInput(box=b"\x01" + secrets.token_bytes(60), token=accept_token(secret))


@pytest.fixture
def sent() -> Sent:
    return sent_case(Organisation.objects.create(slug="acme", name="Acme Ltd"))


def test_one_link_accepted_twice_at_once_is_spent_once(sent: Sent) -> None:
    invite_id, secret = _invite(sent)
    first, second = account_make(), account_make()

    def accept(account: Any) -> Callable[[], Any]:
        return lambda: support.supporter_accept(
            account=account, invite_id=invite_id, accept_input=_accept_input(secret)
        )

    results, errors = _at_once(accept(first), accept(second))
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], support.SupportInviteInvalidError)
    row = Supporter.objects.get()
    assert row.account in (first, second)
    assert row.invite_hash is None


def test_invitations_made_at_once_never_pass_the_limit(sent: Sent) -> None:
    _invite(sent)
    results, errors = _at_once(*[lambda: _invite(sent) for _ in range(4)])
    assert len(results) == support.MAX_LIVE_SUPPORTERS - 1
    assert len(errors) == 2
    assert all(isinstance(e, support.SupportLimitError) for e in errors)
    assert Supporter.objects.count() == support.MAX_LIVE_SUPPORTERS


def test_a_removal_racing_an_accept_leaves_nobody_reading(sent: Sent) -> None:
    invite_id, secret = _invite(sent)
    row = Supporter.objects.get()
    account = account_make()

    def accept() -> Any:
        return support.supporter_accept(
            account=account, invite_id=invite_id, accept_input=_accept_input(secret)
        )

    def remove() -> Any:
        return support.supporter_change(
            account=sent.reporter.account,
            case_ref=bytes(sent.case.case_ref),
            supporter_id=row.pk,
            change=support.SupporterChange(can_write=None, remove=True),
        )

    _results, errors = _at_once(accept, remove)
    assert all(isinstance(e, ReportError) for e in errors)
    row.refresh_from_db()
    assert row.removed is not None
    assert bytes(row.box) == b""
    assert not Supporter.objects.filter(account=account, removed__isnull=True).exists()
