"""One active key per advocate, even for uploads at the same moment; a removed advocate's key
receives no new envelope, even before it is retired; migration 0003 retires extra keys."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.test import Client

from chorus.cli import main as cli
from chorus.escrow.models import AdvocateKey
from chorus.escrow.selectors import advocate_keys_active
from tests.counts.test_concurrency import THREADS, run_together
from tests.migrate import migrate
from tests.workspace.helpers import advocate_enrolled, key_for, sign_in
from tests.workspace.test_keys_and_matches import _good_key


@pytest.mark.django_db(transaction=True)
def test_keys_uploaded_at_the_same_moment_leave_one_active_key() -> None:
    alice = advocate_enrolled("alice")
    signed_in = Client()
    sign_in(signed_in, alice)
    clients = []
    for _ in range(THREADS):  # one session, many tabs
        client = Client()
        client.cookies = signed_in.cookies
        clients.append(client)
    bodies = [json.dumps(_good_key()) for _ in clients]

    def upload(client: Client, body: str):
        return lambda: (
            client.post("/workspace/key", body, content_type="application/json").status_code
        )

    results = run_together([upload(c, b) for c, b in zip(clients, bodies, strict=True)])
    assert results[201] == 1, results
    assert results[400] == THREADS - 1, results
    assert AdvocateKey.objects.filter(advocate=alice.user, retired__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_key() -> None:
    alice = advocate_enrolled("alice")
    key_for(alice)
    with pytest.raises(IntegrityError):
        key_for(alice)


@pytest.mark.django_db
def test_a_deactivated_advocates_key_receives_nothing_even_before_it_is_retired() -> None:
    alice, bob = advocate_enrolled("alice"), advocate_enrolled("bob")
    alice_key, bob_key = key_for(alice).key, key_for(bob).key
    get_user_model().objects.filter(pk=bob.user_id).update(is_active=False)
    assert advocate_keys_active() == [alice_key]
    assert AdvocateKey.objects.get(pk=bob_key.pk).retired is None


@pytest.mark.django_db
def test_advocate_remove_deactivates_and_retires_together(
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice = advocate_enrolled("alice")
    key = key_for(alice).key
    assert cli.main(["advocate-remove", "alice"]) == 0
    assert "1 key(s) retired" in capsys.readouterr().out
    key.refresh_from_db()
    assert key.retired is not None
    assert advocate_keys_active() == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_retires_all_but_the_oldest_active_key() -> None:
    alice = advocate_enrolled("alice")
    try:
        apps = migrate(("escrow", "0002_entry_pending"))
        model = apps.get_model("escrow", "AdvocateKey")
        made = [
            model.objects.create(
                advocate_id=alice.user_id, suite=1, public_key=b"k", wrapped_private_key=b"w"
            ).pk
            for _ in range(3)
        ]
        migrate(("escrow", "0003_one_active_key_per_advocate"))
        active = AdvocateKey.objects.filter(advocate_id=alice.user_id, retired__isnull=True)
        assert [k.pk for k in active] == [made[0]]
        assert AdvocateKey.objects.filter(pk__in=made[1:], retired__isnull=False).count() == 2
    finally:
        migrate(("escrow", "0003_one_active_key_per_advocate"))
