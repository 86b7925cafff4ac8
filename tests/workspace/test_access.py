"""Every workspace page and JSON endpoint, against everyone who is not a signed-in advocate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from chorus.accounts.models import Account
from chorus.escrow.models import Entry
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag
from chorus.staff.models import StaffMember
from chorus.workspace.session import SESSION_STAFF, SeparateSessionMiddleware
from tests.workspace.helpers import PASSWORD, advocate_enrolled, key_for, plant_match, sign_in

pytestmark = pytest.mark.django_db


def _anonymous(staff: StaffMember) -> Client:
    return Client()


def _survivor(staff: StaffMember) -> Client:
    """A survivor's session on the public site, even one claiming a staff id, opens nothing."""
    client = Client()
    session = client.session
    account = Account.objects.order_by("pk").first()
    assert account is not None
    session[SESSION_KEY] = account.pk
    session[SESSION_CODENAME] = session_codename_tag(account)
    session[SESSION_STAFF] = staff.user_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # type: ignore[assignment]
    return client


def _password_only(staff: StaffMember) -> Client:
    client = Client()
    client.post("/workspace/signin", {"username": staff.user.get_username(), "password": PASSWORD})
    return client


def _advocate(staff: StaffMember) -> Client:
    client = Client()
    sign_in(client, staff)
    return client


OUTSIDERS: list[Callable[[StaffMember], Client]] = [_anonymous, _survivor, _password_only]


@pytest.fixture
def world() -> tuple[StaffMember, int, int]:
    staff = advocate_enrolled("alice")
    match = plant_match([key_for(staff).key], ["a@example.org", "b@example.org"])
    entry = Entry.objects.filter(match=match).order_by("pk").first()
    assert entry is not None
    return staff, match.pk, entry.pk


PAGES = ["/workspace/", "/workspace/key", "/workspace/matches/{match}"]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("url", PAGES)
def test_pages_send_outsiders_to_sign_in(
    world: tuple[StaffMember, int, int], who: Callable[[StaffMember], Client], url: str
) -> None:
    staff, match_id, _entry = world
    response = who(staff).get(url.format(match=match_id))
    assert response.status_code == 302
    assert response["Location"] == "/workspace/signin"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_json_answers_outsiders_with_a_uniform_404(
    world: tuple[StaffMember, int, int], who: Callable[[StaffMember], Client]
) -> None:
    staff, match_id, _entry = world
    client = who(staff)
    for response in (
        client.get(f"/workspace/matches/{match_id}/envelopes"),
        client.get("/workspace/matches/999999/envelopes"),
        client.post("/workspace/key", "{}", content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response.json() == {"message": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_record_outreach(
    world: tuple[StaffMember, int, int], who: Callable[[StaffMember], Client]
) -> None:
    staff, _match, entry_id = world
    response = who(staff).post(f"/workspace/entries/{entry_id}/outreach", {"outreach": "contacted"})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/signin"
    assert Entry.objects.get(pk=entry_id).outreach == ""


@pytest.mark.parametrize("url", PAGES)
def test_pages_open_for_a_signed_in_advocate(world: tuple[StaffMember, int, int], url: str) -> None:
    staff, match_id, _entry = world
    response = _advocate(staff).get(url.format(match=match_id))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_json_and_outreach_work_for_a_signed_in_advocate(
    world: tuple[StaffMember, int, int],
) -> None:
    staff, match_id, entry_id = world
    client = _advocate(staff)
    assert client.get(f"/workspace/matches/{match_id}/envelopes").status_code == 200
    response = client.post(f"/workspace/entries/{entry_id}/outreach", {"outreach": "contacted"})
    assert response.status_code == 302
    assert Entry.objects.get(pk=entry_id).outreach == "contacted"


def test_the_survivor_site_ignores_the_workspace_session(
    world: tuple[StaffMember, int, int],
) -> None:
    staff, _match, _entry = world
    client = _advocate(staff)
    cookie = client.cookies["chorus-workspace"]
    assert cookie["path"] == "/workspace/"
    middleware = SeparateSessionMiddleware(lambda request: HttpResponse())
    # Django's test client sends every cookie whatever its Path: look at what the server reads.
    for path, expected in (("/", None), ("/account/signin", None), ("/workspace/", staff.user_id)):
        request = RequestFactory().get(path)
        request.COOKIES["chorus-workspace"] = cookie.value
        middleware.process_request(request)
        assert request.session.get(SESSION_STAFF) == expected
