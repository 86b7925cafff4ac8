"""The access matrix of issue 5: every organisation, operator and case page and API operation,
against every role, with the expected answer; where access is denied, the answer is the same as
for a case or organisation that does not exist (compared byte for byte, CSRF token aside).

Roles: anonymous; a survivor signed in with a codename who has nothing to do with the case; the
case's reporter; their accepted supporter; an advocate; the operator; a handler and an admin of
the organisation the case was sent to; a handler the reporter excluded; a handler and an admin of
another organisation. `test_every_route_is_in_the_matrix` fails when a route is added without a
row here. The advocates' pages have their own matrix (tests/workspace/test_access.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.escrow.models import Entry
from chorus.orgs import services as org_services
from chorus.orgs.models import HandlerKey, Membership, Organisation
from chorus.orgs.selectors import organisation_by_slug, organisation_public_keys
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag
from chorus.records.models import Record
from chorus.reports.models import Case, CaseKey, Message, Note, Supporter
from chorus.staff import services as staff_services
from chorus.staff.models import StaffMember
from chorus.together.models import Group
from chorus.together.services import together_match_run
from tests.orgs.helpers import Org, enrol, issue, key_for, org_with_staff
from tests.reports.helpers import b64, entry_request, report_request, sealed_case_key
from tests.reports.test_support import accept_token, new_invite
from tests.together.helpers import group_claims, held_request, phone
from tests.workspace.helpers import advocate_enrolled, plant_match, sign_in
from tests.workspace.helpers import key_for as advocate_key_for

pytestmark = pytest.mark.django_db

SID = b"\x07" * 32
MISSING_REF = "0" * 32
SIGNIN_WS = "/workspace/signin"
SIGNIN_SV = "/account/signin"


@dataclass
class World:
    acme: Org
    globex: Org
    excluded: Any
    excluded_staff: StaffMember
    late_key_id: int
    advocate: StaffMember
    operator: StaffMember
    reporter: Account
    supporter: Account
    survivor: Account
    ref: str
    case_key: bytes
    invite: str
    token: str
    record_id: int
    sks: dict[int, bytes]
    held_ref: str
    group_id: int
    match_id: int
    entry_id: int


def _account(n: int) -> Account:
    return Account.objects.create(
        lookup=bytes([n]) * 32,
        recovery_lookup=bytes([n + 100]) * 32,
        sid_wrapped=b"\x03" * 60,
        sid_wrapped_recovery=b"\x04" * 60,
        created_day=timezone.now().date(),
    )


def _survivor_client(account: Account) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = account.pk
    session[SESSION_CODENAME] = session_codename_tag(account)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # type: ignore[assignment]
    return client


def _staff_client(staff: StaffMember) -> Client:
    # Each from a network of their own: sign-in attempts are limited per network.
    client = Client(REMOTE_ADDR=f"10.{staff.user_id % 250 + 1}.0.7")
    sign_in(client, staff)
    return client


def _world() -> World:
    acme = org_with_staff("Acme", prefix="acme")
    globex = org_with_staff("Globex", prefix="globex")
    excluded, token = org_services.member_invite(
        admin=acme.admin, username="acme-excluded", display_name="Excluded", issue_enrolment=issue
    )
    excluded_staff = enrol(token)
    made = [key_for(m) for m in (acme.admin, acme.handler, excluded)]
    keys = [k for k, _sk in made]
    for member in (globex.admin, globex.handler):
        key_for(member)
    reporter, supporter, survivor = _account(1), _account(2), _account(3)
    data, case_key, case_ref = report_request(
        slug="acme",
        keys=[(k.pk, k.suite, bytes(k.public_key)) for k in keys[:2]],
        excluded=[keys[2].pk],
        sid=SID,
    )
    sent = _survivor_client(reporter).post(
        "/reports", json.dumps(data), content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    case = Case.objects.get(case_ref=case_ref)
    Supporter.objects.create(
        case=case,
        account=supporter,
        invite_expires=timezone.now(),
        box=b"\x01" * 61,
        accepted=timezone.now(),
    )
    invite, link_secret = new_invite()
    Supporter.objects.create(
        case=case,
        invite_hash=hashlib.sha256(invite).digest(),
        invite_expires=timezone.now() + timedelta(hours=48),
        box=b"\x01" * 61,
    )
    late, token = org_services.member_invite(
        admin=acme.admin, username="acme-late", display_name="Late", issue_enrolment=issue
    )
    enrol(token)
    late_key, _sk = key_for(late)
    # Together: the reporter's own report, still held; two others' reports naming one person,
    # released as a group. The excluded handler is excluded from them too.
    acme_keys = list(HandlerKey.objects.filter(membership__organisation=acme.organisation))
    held = held_request(
        organisation=acme.organisation,
        keys=acme_keys,
        sid=SID,
        identifier=phone("+442079460001"),
        excluded=[keys[2]],
    )
    sent = _json(_survivor_client(reporter), "/reports/together", held.data)
    assert sent.status_code == 201, sent.content
    for n in (4, 5):
        other = held_request(
            organisation=acme.organisation,
            keys=acme_keys,
            sid=bytes([n]) * 32,
            excluded=[keys[2]],
        )
        sent = _json(_survivor_client(_account(n)), "/reports/together", other.data)
        assert sent.status_code == 201, sent.content
    together_match_run()
    advocate = advocate_enrolled("alice")
    match = plant_match([advocate_key_for(advocate).key], ["a@example.org", "b@example.org"])
    entry = Entry.objects.filter(match=match).order_by("pk").first()
    assert entry is not None
    _user, token = staff_services.staff_enrolment_issue(username="ops", operator=True)
    operator = enrol(token)
    return World(
        acme=acme,
        globex=globex,
        excluded=excluded,
        excluded_staff=excluded_staff,
        late_key_id=late_key.pk,
        advocate=advocate,
        operator=operator,
        reporter=reporter,
        supporter=supporter,
        survivor=survivor,
        ref=case_ref.hex(),
        case_key=case_key,
        invite=invite.hex(),
        token=b64(accept_token(link_secret)),
        record_id=Record.objects.create(account=reporter).pk,
        sks={k.pk: sk for k, sk in made},
        held_ref=held.case_ref.hex(),
        group_id=Group.objects.get().pk,
        match_id=match.pk,
        entry_id=entry.pk,
    )


ROLES: dict[str, Callable[[World], Client]] = {
    "anonymous": lambda w: Client(),
    "survivor": lambda w: _survivor_client(w.survivor),
    "reporter": lambda w: _survivor_client(w.reporter),
    "supporter": lambda w: _survivor_client(w.supporter),
    "advocate": lambda w: _staff_client(w.advocate),
    "operator": lambda w: _staff_client(w.operator),
    "handler": lambda w: _staff_client(w.acme.handler_staff),
    "admin": lambda w: _staff_client(w.acme.admin_staff),
    "excluded": lambda w: _staff_client(w.excluded_staff),
    "other handler": lambda w: _staff_client(w.globex.handler_staff),
    "other admin": lambda w: _staff_client(w.globex.admin_staff),
}
SURVIVORS = ("survivor", "reporter", "supporter")
STAFF = tuple(r for r in ROLES if r not in (*SURVIVORS, "anonymous"))
MEMBERS = ("handler", "admin", "excluded")


def _json(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


# --- operations: (route name, kind, request(client, world, real: bool)) ----------------------
# kind: "ws page" / "ws json" (workspace), "sv page" / "sv json" (survivor site). `real` False
# asks for a case or organisation that does not exist, for the uniform-answer comparison.

Request = Callable[[Client, World, bool], Any]


def _slug(real: bool) -> str:
    return "acme" if real else "no-such-org"


def _ref(w: World, real: bool) -> str:
    return w.ref if real else MISSING_REF


def _case(suffix: str = "") -> Callable[[Client, World, bool], str]:
    return lambda c, w, real: f"/workspace/orgs/acme/cases/{_ref(w, real)}{suffix}"


def _accepted(w: World) -> int:
    return int(Supporter.objects.get(account=w.supporter).pk)


def _invite(w: World, real: bool) -> str:
    return w.invite if real else "0" * 32


def _group(w: World, real: bool) -> int:
    return w.group_id if real else 999999


def _held_send(c: Client) -> Any:
    organisation = organisation_by_slug(slug="acme")
    assert organisation is not None
    keys = list(HandlerKey.objects.filter(membership__organisation=organisation, retired=None))
    held = held_request(organisation=organisation, keys=keys, sid=secrets.token_bytes(32))
    return _json(c, "/reports/together", held.data)


def _claim(c: Client, w: World, real: bool) -> Any:
    """The member's browser: fetch the shares, recover K, seal each case key to its own key. A
    client that cannot fetch them claims with a well-formed body it could not have made."""
    shares = c.get(f"/workspace/orgs/acme/together/{w.group_id}/shares")
    if shares.status_code == 200:
        data = shares.json()
        body = {"cases": group_claims(data, w.sks[data["key"]["id"]])}
    else:
        body = {"cases": [{"case": w.held_ref, "sealed": b64(b"\x01" * 83)}]}
    return _json(c, f"/workspace/orgs/acme/together/{_group(w, real)}/claim", body)


def _grant(c: Client, w: World, real: bool) -> Any:
    sealed = sealed_case_key(
        pk=b"\x09" * 32, suite=1, slug="acme", case_ref=bytes.fromhex(w.ref), case_key=w.case_key
    )
    return _json(c, _case("/grants")(c, w, real), {"key": w.late_key_id, "sealed": b64(sealed)})


def _send(c: Client, w: World) -> Any:
    organisation = organisation_by_slug(slug="acme")
    assert organisation is not None
    keys = [
        (k.key_id, k.suite, k.public_key)
        for k in organisation_public_keys(organisation=organisation)
    ]
    data, _ck, _cr = report_request(slug="acme", keys=keys)
    return _json(c, "/reports", data)


OPERATIONS: dict[str, tuple[str, str, Request]] = {
    "matches": ("matches", "adv page", lambda c, w, r: c.get("/workspace/")),
    "advocate key page": ("key", "adv page", lambda c, w, r: c.get("/workspace/key")),
    "advocate key upload": (
        "key",
        "adv json",
        lambda c, w, r: _json(c, "/workspace/key", {"suite": 1}),
    ),
    "match page": (
        "match",
        "adv page",
        lambda c, w, r: c.get(f"/workspace/matches/{w.match_id if r else 999999}"),
    ),
    "match envelopes": (
        "match_envelopes",
        "adv json",
        lambda c, w, r: c.get(f"/workspace/matches/{w.match_id if r else 999999}/envelopes"),
    ),
    "outreach": (
        "outreach",
        "adv page",
        lambda c, w, r: c.post(
            f"/workspace/entries/{w.entry_id if r else 999999}/outreach", {"outreach": "contacted"}
        ),
    ),
    "operator page": ("operator", "ws page", lambda c, w, r: c.get("/workspace/operator/")),
    "operator register": (
        "operator_org_add",
        "ws page",
        lambda c, w, r: c.post("/workspace/operator/orgs", {"name": "New", "admin": "new-admin"}),
    ),
    "org landing": ("orgs", "ws page", lambda c, w, r: c.get("/workspace/orgs/")),
    "org home": ("org_home", "ws page", lambda c, w, r: c.get(f"/workspace/orgs/{_slug(r)}/")),
    "org key page": (
        "org_key",
        "ws page",
        lambda c, w, r: c.get(f"/workspace/orgs/{_slug(r)}/key"),
    ),
    "org key upload": (
        "org_key_upload",
        "ws json",
        lambda c, w, r: _json(c, f"/workspace/orgs/{_slug(r)}/key/upload", {"suite": 1}),
    ),
    "org invite": (
        "org_invite",
        "ws page",
        lambda c, w, r: c.post(
            f"/workspace/orgs/{_slug(r)}/members", {"username": "newbie", "display_name": "N"}
        ),
    ),
    "org email": (
        "org_email",
        "ws page",
        lambda c, w, r: c.post(f"/workspace/orgs/{_slug(r)}/email", {"email": "x@acme.example"}),
    ),
    "org remove": (
        "org_remove",
        "ws page",
        lambda c, w, r: c.post(f"/workspace/orgs/{_slug(r)}/members/{w.acme.handler.pk}/remove"),
    ),
    "case list": (
        "org_cases",
        "ws json",
        lambda c, w, r: c.get(f"/workspace/orgs/{_slug(r)}/cases"),
    ),
    "case counts": (
        "org_case_counts",
        "ws json",
        lambda c, w, r: c.get(f"/workspace/orgs/{_slug(r)}/counts"),
    ),
    "case open": ("org_case", "ws json", lambda c, w, r: c.get(_case()(c, w, r))),
    "case status": (
        "org_case_status",
        "ws json",
        lambda c, w, r: _json(c, _case("/status")(c, w, r), {"status": "in_review"}),
    ),
    "case assign": (
        "org_case_assign",
        "ws json",
        lambda c, w, r: _json(c, _case("/assign")(c, w, r), {"member": w.acme.handler.pk}),
    ),
    "case message": (
        "org_case_messages",
        "ws json",
        lambda c, w, r: c.post(
            _case("/messages")(c, w, r),
            entry_request(
                case_key=w.case_key, slug="acme", case_ref=bytes.fromhex(w.ref), n=1, text="Hi"
            ),
            content_type="application/json",
        ),
    ),
    "case note": (
        "org_case_notes",
        "ws json",
        lambda c, w, r: c.post(
            _case("/notes")(c, w, r),
            entry_request(
                case_key=w.case_key,
                slug="acme",
                case_ref=bytes.fromhex(w.ref),
                n=1,
                text="Note",
                note=True,
            ),
            content_type="application/json",
        ),
    ),
    "case grant": ("org_case_grants", "ws json", _grant),
    "case page": (
        "org_inbox_case",
        "ws page",
        lambda c, w, r: c.get(f"/workspace/orgs/acme/inbox/{_ref(w, r)}"),
    ),
    "send report": ("reports_send", "sv json", lambda c, w, r: _send(c, w)),
    "my cases": ("reports_cases", "sv json", lambda c, w, r: c.get("/reports/cases")),
    "my case": ("report_case", "sv json", lambda c, w, r: c.get(f"/reports/cases/{_ref(w, r)}")),
    "my case message": (
        "report_case_messages",
        "sv json",
        lambda c, w, r: c.post(
            f"/reports/cases/{_ref(w, r)}/messages",
            entry_request(
                case_key=w.case_key, slug="acme", case_ref=bytes.fromhex(w.ref), n=1, text="Hi"
            ),
            content_type="application/json",
        ),
    ),
    "invite supporter": (
        "supporters_invite",
        "sv json",
        lambda c, w, r: _json(
            c,
            f"/reports/cases/{_ref(w, r)}/supporters",
            {"invite": "ab" * 16, "box": b64(b"\x01" * 61), "can_write": True},
        ),
    ),
    "change supporter": (
        "supporter_change",
        "sv json",
        lambda c, w, r: _json(
            c,
            f"/reports/cases/{_ref(w, r)}/supporters/{_accepted(w)}",
            {"can_write": False},
        ),
    ),
    "support link page": ("support", "link", lambda c, w, r: c.get(f"/support/{_invite(w, r)}")),
    "support invite read": (
        "support_invite",
        "sv json",
        lambda c, w, r: c.get(
            f"/support/{_invite(w, r)}/invite", headers={"X-Chorus-Token": w.token}
        ),
    ),
    "support accept": (
        "support_accept",
        "sv json",
        lambda c, w, r: _json(
            c, f"/support/{_invite(w, r)}/accept", {"box": b64(b"\x01" * 61), "token": w.token}
        ),
    ),
    "together page": ("together", "sv page", lambda c, w, r: c.get("/reports/together")),
    "together send": ("together", "sv json", lambda c, w, r: _held_send(c)),
    "together form": (
        "together_new",
        "sv page",
        lambda c, w, r: c.get("/reports/together/new?org=acme"),
    ),
    "together withdraw": (
        "together_withdraw",
        "sv page",
        lambda c, w, r: c.post(f"/reports/together/{w.held_ref if r else MISSING_REF}/withdraw"),
    ),
    "together groups": (
        "org_together",
        "ws page",
        lambda c, w, r: c.get(f"/workspace/orgs/{_slug(r)}/together"),
    ),
    "together group": (
        "org_together_group",
        "ws page",
        lambda c, w, r: c.get(f"/workspace/orgs/acme/together/{_group(w, r)}"),
    ),
    "together shares": (
        "org_together_shares",
        "ws json",
        lambda c, w, r: c.get(f"/workspace/orgs/acme/together/{_group(w, r)}/shares"),
    ),
    "together claim": ("org_together_claim", "ws json", _claim),
    "report page": (
        "report_new",
        "sv page",
        lambda c, w, r: c.get(f"/reports/new?record={w.record_id if r else 999999}"),
    ),
    "cases page": ("cases", "sv page", lambda c, w, r: c.get("/cases")),
    "case page (survivor)": ("case", "sv page", lambda c, w, r: c.get(f"/cases/{_ref(w, r)}")),
}


# --- expectations ---------------------------------------------------------------------------

ALL = tuple(ROLES)
ALLOWED: dict[str, dict[str, int]] = {
    "matches": {"advocate": 200},
    "advocate key page": {"advocate": 200},
    "advocate key upload": {"advocate": 400},  # reached; the body is refused
    "match page": {"advocate": 200},
    "match envelopes": {"advocate": 200},
    "outreach": {"advocate": 302},
    "operator page": {"operator": 200},
    "operator register": {"operator": 200},
    # Every member is sent to their own organisation's home; the others are denied.
    "org landing": {r: 302 for r in (*MEMBERS, "other handler", "other admin")},
    "org home": dict.fromkeys(MEMBERS, 200),
    "org key page": dict.fromkeys(MEMBERS, 200),
    "org key upload": dict.fromkeys(MEMBERS, 400),  # reached; the body is refused
    "org invite": {"admin": 200},
    "org email": dict.fromkeys(MEMBERS, 302),
    "org remove": {"admin": 302},
    "case list": dict.fromkeys(MEMBERS, 200),
    "case counts": {"admin": 200},
    "case open": {"handler": 200, "admin": 200},
    "case status": {"handler": 200, "admin": 200},
    "case assign": {"handler": 200, "admin": 200},
    "case message": {"handler": 201, "admin": 201},
    "case note": {"handler": 201, "admin": 201},
    "case grant": {"handler": 201, "admin": 201},
    "case page": {"handler": 200, "admin": 200},
    "send report": dict.fromkeys(SURVIVORS, 201),
    "my cases": dict.fromkeys(SURVIVORS, 200),
    "my case": {"reporter": 200, "supporter": 200},
    "my case message": {"reporter": 201, "supporter": 201},
    "invite supporter": {"reporter": 201, "supporter": 403},
    "change supporter": {"reporter": 200, "supporter": 403},
    "support link page": dict.fromkeys(ALL, 200),
    "support invite read": dict.fromkeys(SURVIVORS, 200),
    "support accept": {"survivor": 200, "reporter": 403, "supporter": 409},
    "together page": dict.fromkeys(SURVIVORS, 200),
    "together send": dict.fromkeys(SURVIVORS, 201),
    "together form": dict.fromkeys(SURVIVORS, 200),
    "together withdraw": {"reporter": 302},
    "together groups": dict.fromkeys(MEMBERS, 200),
    "together group": {"handler": 200, "admin": 200},
    "together shares": {"handler": 200, "admin": 200},
    "together claim": {"handler": 201, "admin": 201},
    "report page": {"reporter": 200},  # the survivor's own record only
    "cases page": dict.fromkeys(SURVIVORS, 200),
    "case page (survivor)": {"reporter": 200, "supporter": 200},
}

LANDING = {
    **dict.fromkeys(MEMBERS, "/workspace/orgs/acme/"),
    "other handler": "/workspace/orgs/globex/",
    "other admin": "/workspace/orgs/globex/",
}


def _denied(kind: str, role: str) -> tuple[int, str | None]:
    """The answer a role gets where it has no access: (status, redirect location or None)."""
    staff, survivor = role in STAFF, role in SURVIVORS
    # The advocates' pages send other staff to their own pages.
    own_home = "/workspace/operator/" if role == "operator" else "/workspace/orgs/"
    answers: dict[str, tuple[int, str | None]] = {
        "adv page": (302, own_home if staff else SIGNIN_WS),
        "adv json": (404, None),
        "ws page": (404, None) if staff else (302, SIGNIN_WS),
        "ws json": (404, None),
        # A capability link: the same 404 for everyone when it is not valid.
        "link": (404, None),
        "sv page": (404, None) if survivor else (302, SIGNIN_SV),
        "sv json": (404, None) if survivor else (403, None),
    }
    return answers[kind]


def _body(response: Any) -> str:
    text = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def _route_names() -> set[str]:
    def walk(patterns: list[Any], ns: str = "") -> list[tuple[str, str]]:
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                found += walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name:
                found.append((ns, p.name))
        return found

    in_scope = re.compile(
        r"org_|operator|orgs$|report|case|support|together|^matches$|^key$|^match|outreach"
    )
    # Public by design, or capability links with their own tests: the organisation's public keys
    # (test_orgs_access), the enrolment links (forged, reused and expired links in
    # tests/workspace/test_orgs_access.py).
    elsewhere = {"org_keys", "org_enrol", "org_enrol_code"}
    return {
        f"{ns}:{name}"
        for ns, name in walk(get_resolver().url_patterns)
        if ns in ("workspace", "public") and in_scope.search(name) and name not in elsewhere
    }


def test_every_route_is_in_the_matrix() -> None:
    # The sign-in and enrolment steps are for everyone by design: tests/workspace/test_signin.py,
    # test_enrolment.py and test_review.py.
    covered = {
        f"{'workspace' if kind.startswith(('ws', 'adv')) else 'public'}:{route}"
        for route, kind, _r in OPERATIONS.values()
    }
    assert _route_names() - covered == set()


def _state() -> tuple[Any, ...]:
    """What a denied request must leave as it was."""
    return (
        list(Case.objects.order_by("pk").values_list("status", "assignee_id", "closed")),
        CaseKey.objects.count(),
        Message.objects.count(),
        Note.objects.count(),
        list(Supporter.objects.order_by("pk").values_list("account_id", "can_write", "removed")),
        Organisation.objects.count(),
        Membership.objects.filter(removed__isnull=True).count(),
        sorted(Membership.objects.values_list("email", flat=True)),
        HandlerKey.objects.count(),
    )


def test_access_matrix() -> None:
    """One world; each role signs in once (sign-in attempts are rate-limited) and runs every
    operation in a savepoint that is undone after it. Every mismatch is listed at the end."""
    world = _world()
    mismatches: list[str] = []
    for role in ALL:
        client = ROLES[role](world)
        for name, (_route, kind, request) in OPERATIONS.items():
            with transaction.atomic():
                before = _state()
                response = request(client, world, True)
                expected = ALLOWED[name].get(role)
                got = f"{response.status_code} {response.content[:160]!r}"
                if expected is not None:
                    if response.status_code != expected:
                        mismatches.append(f"{role} / {name}: expected {expected}, got {got}")
                    home = LANDING.get(role)
                    if name == "org landing" and response["Location"] != home:
                        mismatches.append(f"{role} / {name}: sent to {response['Location']}")
                    transaction.set_rollback(True)
                    continue
                status, location = _denied(kind, role)
                if response.status_code != status:
                    mismatches.append(f"{role} / {name}: expected denial {status}, got {got}")
                elif location is not None and not response["Location"].startswith(location):
                    mismatches.append(f"{role} / {name}: sent to {response['Location']}")
                elif status == 404:
                    missing = request(client, world, False)
                    if missing.status_code != 404 or _body(missing) != _body(response):
                        mismatches.append(f"{role} / {name}: denial differs from not-found")
                if _state() != before:
                    mismatches.append(f"{role} / {name}: denied, yet something changed")
                transaction.set_rollback(True)
    assert mismatches == [], "\n".join(mismatches)
