"""The access matrix of every organisation page and JSON operation, against everyone: anonymous,
a survivor, an advocate, a handler and an admin of the same and of another organisation. Where
access is denied the answer is one uniform not-found (same status, same body) whether the
organisation exists or not; bad invitation links are refused alike."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.crypto import passphrase, seal
from chorus.orgs import services as org_services
from chorus.orgs.models import HandlerKey, Membership
from chorus.orgs.services import HANDLER_KEY_CTX
from chorus.public.session import SESSION_KEY
from chorus.staff import services as staff_services
from chorus.staff.models import StaffMember
from chorus.workspace.session import SESSION_STAFF
from tests.orgs.helpers import issue, org_with_staff
from tests.workspace.helpers import PASSPHRASE, PASSWORD, advocate_enrolled, sign_in
from tests.workspace.test_review import _logged

pytestmark = pytest.mark.django_db

SIGNIN = "/workspace/signin"
NOT_FOUND_MESSAGE = "There is no such page in your organisation&#x27;s workspace."


class World:
    def __init__(self) -> None:
        self.acme = org_with_staff("Acme", prefix="acme")
        self.globex = org_with_staff("Globex", prefix="globex")
        self.advocate = advocate_enrolled("alice")
        self.account = Account.objects.create(
            lookup=b"\x01" * 32,
            recovery_lookup=b"\x02" * 32,
            sid_wrapped=b"\x03" * 60,
            sid_wrapped_recovery=b"\x04" * 60,
            created_day=timezone.now().date(),
        )


@pytest.fixture
def world() -> World:
    return World()


def _signed_in(staff: StaffMember) -> Client:
    client = Client()
    sign_in(client, staff)
    return client


def _survivor(world: World) -> Client:
    """A survivor's session on the public site, even one claiming a staff id, opens nothing."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = world.account.pk
    session[SESSION_STAFF] = world.acme.admin.user_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # type: ignore[assignment]
    return client


ROLES: dict[str, Callable[[World], Client]] = {
    "anonymous": lambda w: Client(),
    "survivor": _survivor,
    "advocate": lambda w: _signed_in(w.advocate),
    "handler": lambda w: _signed_in(w.acme.handler_staff),
    "admin": lambda w: _signed_in(w.acme.admin_staff),
    "other handler": lambda w: _signed_in(w.globex.handler_staff),
    "other admin": lambda w: _signed_in(w.globex.admin_staff),
}


def _key_body() -> str:
    pair = seal.generate_key_pair()
    return json.dumps(
        {
            "suite": 1,
            "public_key": pair.pk.hex(),
            "wrapped_private_key": passphrase.wrap(PASSPHRASE, pair.sk, ctx=HANDLER_KEY_CTX).hex(),
        }
    )


def _home(c: Client, w: World, slug: str) -> object:
    return c.get(f"/workspace/orgs/{slug}/")


def _key_page(c: Client, w: World, slug: str) -> object:
    return c.get(f"/workspace/orgs/{slug}/key")


def _key_upload(c: Client, w: World, slug: str) -> object:
    return c.post(
        f"/workspace/orgs/{slug}/key/upload", _key_body(), content_type="application/json"
    )


def _invite(c: Client, w: World, slug: str) -> object:
    return c.post(f"/workspace/orgs/{slug}/members", {"username": "newbie", "display_name": "New"})


def _remove(c: Client, w: World, slug: str) -> object:
    # The target is always a member of the organisation in the URL, if it exists.
    member = w.acme.handler if slug == "acme" else w.globex.handler
    return c.post(f"/workspace/orgs/{slug}/members/{member.pk}/remove")


OPERATIONS = {
    "home": _home,
    "key page": _key_page,
    "key upload": _key_upload,
    "invite": _invite,
    "remove": _remove,
}

# What each role gets for each operation on Acme's pages: a status, and for a redirect, where.
DENIED_PAGE = (302, SIGNIN)
DENIED_JSON = (404, None)
NOT_FOUND = (404, None)
EXPECTED: dict[str, dict[str, tuple[int, str | None]]] = {
    "anonymous": {
        "home": DENIED_PAGE,
        "key page": DENIED_PAGE,
        "key upload": DENIED_JSON,
        "invite": DENIED_PAGE,
        "remove": DENIED_PAGE,
    },
    "handler": {
        "home": (200, None),
        "key page": (200, None),
        "key upload": (201, None),
        "invite": NOT_FOUND,
        "remove": NOT_FOUND,
    },
    "admin": {
        "home": (200, None),
        "key page": (200, None),
        "key upload": (201, None),
        "invite": (200, None),
        "remove": (302, "/workspace/orgs/acme/"),
    },
}
EXPECTED["survivor"] = EXPECTED["anonymous"]
for _outsider in ("advocate", "other handler", "other admin"):
    EXPECTED[_outsider] = dict.fromkeys(OPERATIONS, NOT_FOUND)


def _body(response: object) -> str:
    """A response body without the per-request CSRF token."""
    text = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("role", list(ROLES))
def test_access_matrix(world: World, role: str, operation: str) -> None:
    client = ROLES[role](world)
    keys_before = HandlerKey.objects.count()
    members_before = Membership.objects.filter(removed__isnull=True).count()
    response = OPERATIONS[operation](client, world, "acme")
    status, location = EXPECTED[role][operation]
    assert response.status_code == status, (role, operation)  # type: ignore[attr-defined]
    if location is not None:
        assert response["Location"] == location  # type: ignore[index]
    if status in (302, 404) and location != "/workspace/orgs/acme/":
        # Denied: nothing was written.
        assert HandlerKey.objects.count() == keys_before
        assert Membership.objects.filter(removed__isnull=True).count() == members_before
    if status == 404 and role not in ("anonymous", "survivor"):
        # The same answer for an organisation that does not exist.
        missing = OPERATIONS[operation](ROLES[role](world), world, "no-such-org")
        assert missing.status_code == 404  # type: ignore[attr-defined]
        assert _body(missing) == _body(response)
        if operation != "key upload":
            assert NOT_FOUND_MESSAGE in _body(response)


@pytest.mark.parametrize("role", list(ROLES))
def test_the_landing_page_sends_each_member_to_their_own_organisation(
    world: World, role: str
) -> None:
    response = ROLES[role](world).get("/workspace/orgs/")
    expected = {
        "anonymous": (302, SIGNIN),
        "survivor": (302, SIGNIN),
        "advocate": (404, None),
        "handler": (302, "/workspace/orgs/acme/"),
        "admin": (302, "/workspace/orgs/acme/"),
        "other handler": (302, "/workspace/orgs/globex/"),
        "other admin": (302, "/workspace/orgs/globex/"),
    }[role]
    assert response.status_code == expected[0]
    if expected[1] is not None:
        assert response["Location"] == expected[1]


@pytest.mark.parametrize("role", list(ROLES))
def test_the_public_keys_are_public_and_the_same_for_everyone(world: World, role: str) -> None:
    response = ROLES[role](world).get("/orgs/acme/keys")
    assert response.status_code == 200
    assert response.json()["organisation"]["slug"] == "acme"


def test_a_handler_cannot_remove_or_invite_in_another_organisation_by_id(world: World) -> None:
    """An admin of Globex naming an Acme member's id under Globex's own address finds nobody."""
    client = _signed_in(world.globex.admin_staff)
    response = client.post(f"/workspace/orgs/globex/members/{world.acme.handler.pk}/remove")
    assert response.status_code == 404
    assert Membership.objects.get(pk=world.acme.handler.pk).removed is None


def _bad_link_answer(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 404
    assert "expired or has already been used" in response.content.decode()
    post = Client().post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert post.status_code == 404
    return _body(response)


def test_forged_reused_and_expired_invitation_links_are_refused_alike(world: World) -> None:
    admin = world.acme.admin

    _m, used = org_services.member_invite(
        admin=admin, username="used", display_name="Used", issue_enrolment=issue
    )
    staff_services.staff_enrolment_password(token=used, password=PASSWORD)
    _m, expired = org_services.member_invite(
        admin=admin, username="late", display_name="Late", issue_enrolment=issue
    )
    StaffMember.objects.filter(user__username="late").update(
        enrolment_expires=timezone.now() - timedelta(seconds=1)
    )
    forged = _bad_link_answer("/workspace/orgs/enrol/" + "A" * 43)
    assert _bad_link_answer(f"/workspace/orgs/enrol/{used}") == forged
    assert _bad_link_answer(f"/workspace/orgs/enrol/{expired}") == forged
    assert not StaffMember.objects.get(user__username="late").totp_secret_sealed


def test_the_enrolment_code_page_needs_a_password_set_first(world: World) -> None:
    assert Client().get("/workspace/orgs/enrol/code")["Location"] == SIGNIN
    client = Client()
    _m, token = org_services.member_invite(
        admin=world.acme.admin, username="newer", display_name="N", issue_enrolment=issue
    )
    client.post(
        f"/workspace/orgs/enrol/{token}", {"password": PASSWORD, "password_again": PASSWORD}
    )
    wrong = client.post("/workspace/orgs/enrol/code", {"code": "000000x"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert not StaffMember.objects.get(user__username="newer").enrolled


def test_mismatched_or_weak_enrolment_passwords_are_refused(world: World) -> None:

    _m, token = org_services.member_invite(
        admin=world.acme.admin, username="weak", display_name="W", issue_enrolment=issue
    )
    path = f"/workspace/orgs/enrol/{token}"
    differ = Client().post(path, {"password": PASSWORD, "password_again": PASSWORD + "x"})
    assert differ.status_code == 400
    assert "The two passwords are not the same" in differ.content.decode()
    weak = Client().post(path, {"password": "short", "password_again": "short"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    # The link still works: nothing was spent.
    assert Client().get(path).status_code == 200


def test_an_organisation_enrolment_link_never_reaches_the_logs(world: World) -> None:
    _m, token = org_services.member_invite(
        admin=world.acme.admin, username="quiet", display_name="Q", issue_enrolment=issue
    )
    path = f"/workspace/orgs/enrol/{token}"
    with _logged() as logged:
        client = Client()
        bad = client.post(path, {"password": PASSWORD, "password_again": PASSWORD + "x"})
        assert bad.status_code == 400
        assert client.post(path, {"password": "short", "password_again": "short"}).status_code == (
            400
        )
        assert client.get("/workspace/orgs/enrol/" + "x" * 43).status_code == 404
        assert client.get("/workspace/orgs/no-such-page/nope").status_code == 404  # still logged
    assert any("Not Found: /workspace/orgs/no-such-page/nope" in line for line in logged), logged
    assert not any(token in line or "x" * 43 in line for line in logged), logged


def test_an_organisation_member_cannot_become_an_advocate(world: World) -> None:
    """A handler who made an advocate key would receive survivors' escrow envelopes."""
    client = _signed_in(world.acme.handler_staff)
    pair = seal.generate_key_pair()
    body = {
        "suite": 1,
        "public_key": pair.pk.hex(),
        "wrapped_private_key": passphrase.wrap(
            PASSPHRASE, pair.sk, ctx=b"chorus/advocate-key/v1"
        ).hex(),
    }
    response = client.post("/workspace/key", json.dumps(body), content_type="application/json")
    assert response.status_code == 404
    assert client.get("/workspace/").status_code != 200
