"""`chorus cases-expire`: a closed case is erased with everything under it once its retention
period has ended; only the audit log remains (reports.md §9)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from chorus.cli import main as cli
from chorus.config.env import ConfigError, load
from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.reports import retention
from chorus.reports.models import Case, CaseExclusion, CaseKey, Message, Note, Supporter
from chorus.reports.retention import cases_expire
from tests.orgs.helpers import Org, org_with_staff
from tests.reports.factories import Sent, member_client, post_json, send, supporter_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


def _full_case(org: Org) -> Sent:
    """A case with an exclusion, a supporter, messages and a note, then closed."""
    sent = send(org, exclude_handler=True)
    supporter_of(sent)
    admin = member_client(org, "admin")
    assert post_json(sent.reporter, f"{sent.public}/messages", sent.entry(1)).status_code == 201
    assert post_json(admin, f"{sent.ws}/messages", sent.entry(2)).status_code == 201
    assert post_json(admin, f"{sent.ws}/notes", sent.entry(1, note=True)).status_code == 201
    assert post_json(admin, f"{sent.ws}/status", {"status": "closed"}).status_code == 200
    return sent


def _closed_days_ago(sent: Sent, days: int) -> None:
    closed = timezone.now() - timedelta(days=days)
    Case.objects.filter(pk=sent.case.pk).update(closed=closed, expires=closed + timedelta(days=90))


def _rows(case_id: int) -> list[int]:
    return [
        Case.objects.filter(pk=case_id).count(),
        CaseKey.objects.filter(case_id=case_id).count(),
        CaseExclusion.objects.filter(case_id=case_id).count(),
        Supporter.objects.filter(case_id=case_id).count(),
        Message.objects.filter(case_id=case_id).count(),
        Note.objects.filter(case_id=case_id).count(),
    ]


def test_a_case_closed_91_days_ago_is_erased_with_everything_under_it(
    acme: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _full_case(acme)
    recent = _full_case(acme)
    _closed_days_ago(old, 91)
    _closed_days_ago(recent, 89)
    old_id, recent_id = old.case.pk, recent.case.pk
    assert _rows(old_id) == [1, 1, 1, 1, 2, 1]
    entries_before = AuditEntry.objects.count()
    pending = Supporter.objects.create(
        case=recent.case, invite_hash=b"\x09" * 32, invite_expires=timezone.now(), box=b"\x01" * 61
    )
    assert cli.main(["cases-expire"]) == 0
    out = capsys.readouterr().out
    assert "Erased 1 closed case(s)" in out
    assert "Forgot 1 supporter invitation(s) that expired unused." in out
    pending.refresh_from_db()
    assert pending.removed is not None
    assert pending.invite_hash is None
    assert _rows(old_id) == [0, 0, 0, 0, 0, 0]
    assert _rows(recent_id) == [1, 1, 1, 2, 2, 1]
    # The audit log keeps every entry and adds one for the erasure (and one for the invitation).
    assert AuditEntry.objects.count() == entries_before + 2
    erased = AuditEntry.objects.get(action="reports.case_erased")
    assert (erased.actor_id, erased.object_id) == (None, old_id)
    assert AuditEntry.objects.filter(object_id=old_id, action="reports.message_added").count() == 2
    assert audit_verify() is None
    # The reporter and members now get the same 404 as for any unknown case.
    assert old.reporter.get(old.public).status_code == 404
    assert member_client(acme, "admin").get(old.ws).status_code == 404


def test_a_reopened_case_is_not_erased(acme: Org) -> None:
    sent = _full_case(acme)
    _closed_days_ago(sent, 91)
    admin = member_client(acme, "admin")
    assert post_json(admin, f"{sent.ws}/status", {"status": "in_review"}).status_code == 200
    assert cases_expire() == 0
    assert cases_expire(now=timezone.now() + timedelta(days=1000)) == 0
    assert _rows(sent.case.pk) == [1, 1, 1, 1, 2, 1]


def test_open_cases_are_never_erased(acme: Org) -> None:
    sent = send(acme)
    assert cases_expire(now=timezone.now() + timedelta(days=10000)) == 0
    assert Case.objects.filter(pk=sent.case.pk).exists()


def test_a_case_reopened_after_the_list_was_read_is_kept(acme: Org) -> None:
    """The job locks and checks each case again before erasing it."""
    sent = _full_case(acme)
    _closed_days_ago(sent, 91)
    Case.objects.filter(pk=sent.case.pk).update(status="in_review")
    assert retention._case_erase(case_id=sent.case.pk, now=timezone.now()) is False
    assert Case.objects.filter(pk=sent.case.pk).exists()


def test_the_operator_sets_and_clears_a_members_notification_address(
    acme: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["member-email", "acme-handler", "hana@acme.example"]) == 0
    acme.handler.refresh_from_db()
    assert acme.handler.email == "hana@acme.example"
    entry = AuditEntry.objects.get(action="orgs.member_email_set")
    assert entry.object_id == acme.handler.pk
    assert cli.main(["member-email", "acme-handler"]) == 0
    acme.handler.refresh_from_db()
    assert acme.handler.email == ""
    assert AuditEntry.objects.filter(action="orgs.member_email_cleared").count() == 1
    capsys.readouterr()
    assert cli.main(["member-email", "acme-handler", "not an address"]) == 1
    assert "not an email address" in capsys.readouterr().err
    assert cli.main(["member-email", "nobody", "x@example.org"]) == 1
    assert "No current organisation member" in capsys.readouterr().err
    acme.handler.refresh_from_db()
    assert acme.handler.email == ""
    assert audit_verify() is None


def test_the_retention_setting_defaults_to_90_days_and_refuses_nonsense(tmp_path: Path) -> None:
    base = {"CHORUS_VAR_DIR": str(tmp_path)}
    assert load(base).case_retention_days == 90
    assert load({**base, "CHORUS_CASE_RETENTION_DAYS": "30"}).case_retention_days == 30
    for bad in ("0", "-1", "ninety"):
        with pytest.raises(ConfigError, match="CHORUS_CASE_RETENTION_DAYS"):
            load({**base, "CHORUS_CASE_RETENTION_DAYS": bad})
