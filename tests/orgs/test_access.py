"""chorus.orgs.access: every refusal is the same OrgNotFoundError (100 % branch coverage)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from chorus.orgs import access, services
from chorus.orgs.errors import OrgNotFoundError
from tests.orgs.helpers import Org, org_with_staff

pytestmark = pytest.mark.django_db

MESSAGE = "There is no such page in your organisation's workspace."


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme", prefix="acme")


@pytest.fixture
def globex() -> Org:
    return org_with_staff("Globex", prefix="globex")


def _refused(call: object) -> OrgNotFoundError:
    with pytest.raises(OrgNotFoundError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.status == 404
    assert caught.value.message == MESSAGE
    return caught.value


def test_a_member_reaches_their_own_organisation(acme: Org) -> None:
    found = access.access_membership(user_id=acme.handler.user_id, slug="acme")
    assert found.pk == acme.handler.pk
    assert access.access_admin(user_id=acme.admin.user_id, slug="acme").pk == acme.admin.pk


def test_another_organisation_and_a_missing_one_are_refused_alike(acme: Org, globex: Org) -> None:
    other = _refused(lambda: access.access_membership(user_id=acme.handler.user_id, slug="globex"))
    missing = _refused(lambda: access.access_membership(user_id=acme.handler.user_id, slug="nope"))
    assert (other.code, other.message) == (missing.code, missing.message)
    _refused(lambda: access.access_admin(user_id=acme.admin.user_id, slug="globex"))


def test_a_handler_is_not_an_admin(acme: Org) -> None:
    _refused(lambda: access.access_admin(user_id=acme.handler.user_id, slug="acme"))


def test_a_removed_member_is_refused(acme: Org) -> None:
    services.member_remove(admin=acme.admin, member_id=acme.handler.pk, deactivate=lambda _u: None)
    _refused(lambda: access.access_membership(user_id=acme.handler.user_id, slug="acme"))


def test_a_deactivated_user_is_refused(acme: Org) -> None:
    get_user_model().objects.filter(pk=acme.handler.user_id).update(is_active=False)
    _refused(lambda: access.access_membership(user_id=acme.handler.user_id, slug="acme"))


def test_an_admin_acts_only_on_other_current_members_of_their_own_organisation(
    acme: Org, globex: Org
) -> None:
    with transaction.atomic():
        assert access.access_member_of(admin=acme.admin, member_id=acme.handler.pk).pk == (
            acme.handler.pk
        )
        _refused(lambda: access.access_member_of(admin=acme.admin, member_id=globex.handler.pk))
        _refused(lambda: access.access_member_of(admin=acme.admin, member_id=acme.admin.pk))
        _refused(lambda: access.access_member_of(admin=acme.admin, member_id=10**9))
