"""Registering organisations, inviting and removing members, members' keys: rules and audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.crypto import passphrase, seal
from chorus.orgs import selectors, services
from chorus.orgs.errors import HandlerKeyError, OrgError, OrgNotFoundError
from chorus.orgs.models import HandlerKey, Membership, Organisation
from chorus.staff.models import StaffMember
from tests.orgs.helpers import Org, issue, key_for, org_with_staff
from tests.workspace.helpers import PASSPHRASE

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def test_an_organisation_is_registered_with_its_first_admin_and_audited() -> None:
    organisation, admin, token = services.organisation_add(
        name="  Acme   Widgets Ltd ", admin_username="boss", issue_enrolment=issue
    )
    assert (organisation.slug, organisation.name) == ("acme-widgets-ltd", "Acme Widgets Ltd")
    assert admin.role == Membership.Role.ADMIN
    assert admin.display_name == "boss"
    assert token
    assert StaffMember.objects.get(user_id=admin.user_id).enrolment_digest is not None
    assert _actions()[-3:] == [
        "orgs.organisation_added",
        "staff.enrolment_issued",
        "orgs.admin_invited",
    ]
    assert audit_verify() is None


@pytest.mark.parametrize(
    ("name", "slug", "message"),
    [
        ("", "", "An organisation's name has 1 to 120 characters."),
        ("x" * 121, "", "An organisation's name has 1 to 120 characters."),
        ("Bad\u0007name", "", "An organisation's name cannot hold control characters."),
        ("!!!", "", "Give the organisation a short name"),
        ("Enrol", "", "Give the organisation a short name"),
    ],
)
def test_a_bad_organisation_name_is_refused_and_nothing_stored(
    name: str, slug: str, message: str
) -> None:
    with pytest.raises(OrgError, match=message):
        services.organisation_add(
            name=name, slug=slug, admin_username="boss", issue_enrolment=issue
        )
    assert not Organisation.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_taken_slug_and_a_taken_username_are_refused_and_nothing_stored() -> None:
    services.organisation_add(name="Acme", admin_username="boss", issue_enrolment=issue)
    with pytest.raises(OrgError, match="already an organisation at acme"):
        services.organisation_add(name="ACME", admin_username="other", issue_enrolment=issue)
    with pytest.raises(OrgError, match="The username boss is taken"):
        services.organisation_add(name="Globex", admin_username="boss", issue_enrolment=issue)
    assert list(Organisation.objects.values_list("slug", flat=True)) == ["acme"]
    assert not get_user_model().objects.filter(username="other").exists()


def test_an_admin_invites_a_handler_with_a_single_use_link() -> None:
    org = org_with_staff("Acme", prefix="acme")
    assert org.handler.role == Membership.Role.HANDLER
    assert org.handler_staff.enrolled
    assert "orgs.handler_invited" in _actions()
    with pytest.raises(OrgError, match="Choose a role"):
        services.member_invite(
            admin=org.admin, username="x", display_name="X", role="owner", issue_enrolment=issue
        )
    with pytest.raises(OrgError, match="A display name has 1 to 80"):
        services.member_invite(
            admin=org.admin, username="x", display_name=" ", issue_enrolment=issue
        )
    assert not get_user_model().objects.filter(username="x").exists()


def test_a_removed_member_is_deactivated_and_their_key_retired() -> None:
    org = org_with_staff("Acme", prefix="acme")
    key, _sk = key_for(org.handler)
    deactivated: list[str] = []
    services.member_remove(admin=org.admin, member_id=org.handler.pk, deactivate=deactivated.append)
    assert deactivated == ["acme-handler"]
    assert HandlerKey.objects.get(pk=key.pk).retired is not None
    assert Membership.objects.get(pk=org.handler.pk).removed is not None
    assert selectors.organisation_public_keys(organisation=org.organisation) == []
    assert _actions()[-1] == "orgs.member_removed"
    with pytest.raises(OrgNotFoundError):  # removing twice finds nobody
        services.member_remove(admin=org.admin, member_id=org.handler.pk, deactivate=print)


def _key_body(suite: int = 1) -> dict[str, Any]:
    pair = seal.generate_key_pair(suite)
    return {
        "suite": suite,
        "public_key": pair.pk,
        "wrapped_private_key": passphrase.wrap(PASSPHRASE, pair.sk, ctx=services.HANDLER_KEY_CTX),
    }


@pytest.mark.parametrize("suite", [1, 2])
def test_a_member_key_of_either_suite_is_stored_once(suite: int) -> None:
    org = org_with_staff("Acme", prefix="acme")
    key = services.member_key_create(member=org.handler, **_key_body(suite))
    assert key.suite == suite
    with pytest.raises(HandlerKeyError, match="already have a key"):
        services.member_key_create(member=org.handler, **_key_body(suite))
    assert HandlerKey.objects.count() == 1
    listed = selectors.organisation_public_keys(organisation=org.organisation)
    assert [(k.key_id, k.display_name) for k in listed] == [(key.pk, "Acme handler")]


def _bad(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"suite": 3}, "Unknown key suite"),
        ({"public_key": b"\x01" * 31}, "public key is 32 bytes, not 31"),
        ({"public_key": bytes(32)}, "cannot be sealed to"),
        ({"wrapped_private_key": b"\x01" * 10}, "wrapped private key is 10 bytes"),
    ],
)
def test_a_malformed_key_is_refused_and_nothing_stored(
    change: dict[str, Any], message: str
) -> None:
    org = org_with_staff("Acme", prefix="acme")
    with pytest.raises(HandlerKeyError, match=message):
        services.member_key_create(member=org.handler, **_bad(_key_body(), **change))
    assert not HandlerKey.objects.exists()


def test_a_wrapped_key_of_unknown_version_or_costs_is_refused() -> None:
    org = org_with_staff("Acme", prefix="acme")
    body = _key_body()
    wrapped = bytearray(body["wrapped_private_key"])
    wrapped[0] = 9
    with pytest.raises(HandlerKeyError, match="unknown version"):
        services.member_key_create(
            member=org.handler, **_bad(body, wrapped_private_key=bytes(wrapped))
        )
    wrapped = bytearray(body["wrapped_private_key"])
    o = 1 + 16
    wrapped[o : o + 4] = (1).to_bytes(4)
    with pytest.raises(HandlerKeyError, match="costs are out of range"):
        services.member_key_create(
            member=org.handler, **_bad(body, wrapped_private_key=bytes(wrapped))
        )
    assert not HandlerKey.objects.exists()


@given(
    suite=st.integers(min_value=-1, max_value=4),
    public_key=st.binary(max_size=1300),
    wrapped=st.binary(min_size=80, max_size=90),
)
@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_key_upload_is_stored_or_refused_with_a_key_error(
    suite: int, public_key: bytes, wrapped: bytes
) -> None:
    """Arbitrary bytes never raise anything but HandlerKeyError, and a refusal stores nothing."""
    org = _fuzz_org()
    before = HandlerKey.objects.count()
    try:
        services.member_key_create(
            member=org.handler, suite=suite, public_key=public_key, wrapped_private_key=wrapped
        )
    except HandlerKeyError:
        assert HandlerKey.objects.count() == before
    else:  # only a well-formed key gets here: it is the member's one active key
        HandlerKey.objects.filter(membership=org.handler).delete()


_FUZZ: dict[str, Org] = {}


def _fuzz_org() -> Org:
    """One organisation for all examples (each example runs in the test's transaction)."""
    found = Membership.objects.filter(user__username="fuzz-handler").first()
    if found is None:
        _FUZZ["org"] = org_with_staff("Fuzz", prefix="fuzz")
    return _FUZZ["org"]
