"""The access matrix of the workspace's case JSON (reports.md §11.3) against everyone: anonymous,
a survivor (even the reporter), an advocate, the handler and admin of the organisation, and of
another. Denied is one uniform 404 whose body is the same whether the organisation exists or not;
nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chorus.core.models import AuditEntry
from chorus.orgs import services as org_services
from chorus.reports.models import Case, CaseKey, Message, Note
from tests.escrow.factories import client_signed_in
from tests.orgs.helpers import enrol, issue, key_for
from tests.reports.factories import Sent, send
from tests.reports.helpers import b64, sealed_case_key
from tests.workspace.test_orgs_access import ROLES, World

pytestmark = pytest.mark.django_db


class CaseWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.sent: Sent = send(self.acme)
        late, token = org_services.member_invite(
            admin=self.acme.admin, username="acme-late", display_name="Late", issue_enrolment=issue
        )
        enrol(token)
        self.late_key, _sk = key_for(late)


@pytest.fixture
def world() -> CaseWorld:
    return CaseWorld()


def _ws(w: CaseWorld, slug: str, suffix: str = "") -> str:
    return f"/workspace/orgs/{slug}/cases/{w.sent.ref}{suffix}"


def _post(c: Client, url: str, body: Any) -> Any:
    return c.post(url, json.dumps(body) if not isinstance(body, str) else body, "application/json")


def _grant(c: Client, w: CaseWorld, slug: str) -> Any:
    sealed = sealed_case_key(
        pk=bytes(w.late_key.public_key),
        suite=1,
        slug=w.sent.slug,
        case_ref=w.sent.case_ref,
        case_key=w.sent.case_key,
    )
    return _post(c, _ws(w, slug, "/grants"), {"key": w.late_key.pk, "sealed": b64(sealed)})


OPERATIONS: dict[str, Callable[[Client, CaseWorld, str], Any]] = {
    "list": lambda c, w, slug: c.get(f"/workspace/orgs/{slug}/cases"),
    "open": lambda c, w, slug: c.get(_ws(w, slug)),
    "status": lambda c, w, slug: _post(c, _ws(w, slug, "/status"), {"status": "in_review"}),
    "assign": lambda c, w, slug: _post(c, _ws(w, slug, "/assign"), {"member": None}),
    "message": lambda c, w, slug: _post(c, _ws(w, slug, "/messages"), w.sent.entry(1)),
    "note": lambda c, w, slug: _post(c, _ws(w, slug, "/notes"), w.sent.entry(1, note=True)),
    "grant": _grant,
    "counts": lambda c, w, slug: c.get(f"/workspace/orgs/{slug}/counts"),
}
ALLOWED = {
    "list": 200,
    "open": 200,
    "status": 200,
    "assign": 200,
    "message": 201,
    "note": 201,
    "grant": 201,
    "counts": 200,
}
EXPECTED: dict[str, dict[str, int]] = {
    "handler": {**ALLOWED, "counts": 404},
    "admin": ALLOWED,
}
for _denied in ("anonymous", "survivor", "advocate", "other handler", "other admin", "reporter"):
    EXPECTED[_denied] = dict.fromkeys(OPERATIONS, 404)

CASE_ROLES: dict[str, Callable[[Any], Client]] = {
    **ROLES,
    "reporter": lambda w: client_signed_in(w.sent.account),
}


def _written() -> tuple[int, ...]:
    return (
        Message.objects.count(),
        Note.objects.count(),
        CaseKey.objects.count(),
        Case.objects.exclude(status="received").count(),
        AuditEntry.objects.filter(action__startswith="reports.").count(),
    )


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("role", list(CASE_ROLES))
def test_case_access_matrix(world: CaseWorld, role: str, operation: str) -> None:
    before = _written()
    response = OPERATIONS[operation](CASE_ROLES[role](world), world, "acme")
    status = EXPECTED[role][operation]
    assert response.status_code == status, (role, operation, response.content)
    if status != 404:
        return
    assert _written() == before
    assert response.json()["error"] == "not_found"
    # The same answer for an organisation that does not exist, and from an anonymous visitor.
    missing = OPERATIONS[operation](CASE_ROLES[role](world), world, "no-such-org")
    assert missing.status_code == 404
    assert missing.content == response.content
    anonymous = OPERATIONS[operation](Client(), world, "acme")
    assert anonymous.content == response.content
