"""The operator's page: register an organisation and its first admin (reports.md §3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from chorus.cli.main import main
from chorus.core.models import AuditEntry
from chorus.orgs.models import Membership, Organisation
from chorus.staff import services as staff_services
from chorus.staff.errors import StaffError
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.orgs.helpers import enrol, key_for, org_with_staff
from tests.workspace.helpers import advocate_enrolled, code_for, sign_in

pytestmark = pytest.mark.django_db

FORM = {"name": "Acme Ltd", "slug": "", "admin": "acme-boss", "display_name": "Hana, HR"}


def operator_enrolled(username: str = "root-op") -> StaffMember:
    _user, token = staff_services.staff_enrolment_issue(username=username, operator=True)
    return enrol(token)


def _client(staff: StaffMember | None) -> Client:
    client = Client()
    if staff is not None:
        sign_in(client, staff)
    return client


@pytest.fixture
def operator() -> Client:
    return _client(operator_enrolled())


def test_operator_signs_in_to_the_organisations_page(operator: Client) -> None:
    response = operator.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/operator/"
    page = operator.get("/workspace/operator/")
    assert page.status_code == 200
    assert b"No organisation is registered yet." in page.content
    assert "no-store" in page["Cache-Control"]


def test_operator_enrolment_ends_on_the_organisations_page() -> None:
    _user, token = staff_services.staff_enrolment_issue(username="new-op", operator=True)
    client = Client()
    page = client.post(
        f"/workspace/enrol/{token}",
        {"password": "a good long password 1", "password_again": "a good long password 1"},
    )
    assert page.status_code == 302
    staff = StaffMember.objects.get(user__username="new-op")
    done = client.post("/workspace/enrol/code", {"code": code_for(staff_totp_secret(staff=staff))})
    assert done["Location"] == "/workspace/operator/"


def test_registering_shows_the_link_once_and_audits(operator: Client) -> None:
    page = operator.post("/workspace/operator/orgs", FORM)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    organisation = Organisation.objects.get()
    assert (organisation.slug, organisation.name) == ("acme-ltd", "Acme Ltd")
    admin = Membership.objects.get()
    assert (admin.role, admin.display_name) == ("admin", "Hana, HR")
    link = re.search(
        rb'id="enrol-link">(http://testserver/workspace/orgs/enrol/[^<]+)<', page.content
    )
    assert link is not None
    # The link works: the first admin enrols through it and lands in their organisation.
    token = link.group(1).decode().rsplit("/", 1)[1]
    enrol(token)
    # Shown only on the answer: the page does not show it again.
    assert link.group(1) not in operator.get("/workspace/operator/").content
    actor = StaffMember.objects.get(user__username="root-op").user_id
    added = AuditEntry.objects.get(action="orgs.organisation_added")
    assert added.actor_id == actor
    assert AuditEntry.objects.filter(action="orgs.admin_invited", actor_id=actor).count() == 1


def test_the_list_shows_members_and_keys(operator: Client) -> None:
    org = org_with_staff("Beta School", prefix="beta")
    page = operator.get("/workspace/operator/").content.decode()
    assert "Beta School" in page
    assert "None yet: cannot receive reports" in page
    key_for(org.handler)
    page = operator.get("/workspace/operator/").content.decode()
    row = re.search(r"<tr><td>Beta School</td>.*?</tr>", page)
    assert row is not None
    assert "<td>2</td><td>1</td>" in row.group(0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, b"name"),
        ({"name": "\u0000bad"}, b"name"),
        ({"slug": "enrol"}, b"short name"),
        ({"name": "!!!", "slug": ""}, b"short name"),
        ({"admin": ""}, b"username"),
        ({"admin": "no spaces allowed"}, b"username"),
        ({"admin": "root-op"}, b"taken"),
    ],
)
def test_bad_input_is_a_clear_error_and_stores_nothing(
    operator: Client, change: dict[str, str], message: bytes
) -> None:
    page = operator.post("/workspace/operator/orgs", {**FORM, **change})
    assert page.status_code == 400
    assert message in page.content.lower()
    assert b'class="error-summary"' in page.content
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    # What was typed is kept for correcting it.
    assert b'value="Hana, HR"' in page.content


def test_a_taken_address_is_refused(operator: Client) -> None:
    assert operator.post("/workspace/operator/orgs", FORM).status_code == 200
    again = operator.post("/workspace/operator/orgs", {**FORM, "admin": "another"})
    assert again.status_code == 400
    assert b"already an organisation" in again.content
    assert Organisation.objects.count() == 1


def test_nobody_else_reaches_the_page() -> None:
    assert Client().get("/workspace/operator/")["Location"] == "/workspace/signin"
    assert Client().post("/workspace/operator/orgs", FORM)["Location"] == "/workspace/signin"
    org = org_with_staff("Gamma", prefix="gamma")
    for staff in (advocate_enrolled("adv"), org.admin_staff, org.handler_staff):
        client = _client(staff)
        assert client.get("/workspace/operator/").status_code == 404
        assert client.post("/workspace/operator/orgs", FORM).status_code == 404
    assert Organisation.objects.count() == 1


def test_an_operator_is_never_an_advocate(operator: Client) -> None:
    assert operator.get("/workspace/key")["Location"] == "/workspace/operator/"
    assert operator.get("/workspace/")["Location"] == "/workspace/operator/"
    upload = operator.post("/workspace/key", "{}", content_type="application/json")
    assert upload.status_code in (302, 403, 404)
    assert operator.get("/workspace/matches/1/envelopes").status_code == 404


def test_an_existing_staff_user_cannot_become_an_operator() -> None:
    advocate_enrolled("adv2")
    with pytest.raises(StaffError):
        staff_services.staff_enrolment_issue(username="adv2", operator=True)


def test_the_command_prints_an_operator_link(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["operator-add", "ops", "--site", "https://chorus.example"]) == 0
    out = capsys.readouterr().out
    assert "https://chorus.example/workspace/enrol/" in out
    assert StaffMember.objects.get(user__username="ops").user.is_superuser
    assert main(["operator-add", "no spaces"]) == 1
