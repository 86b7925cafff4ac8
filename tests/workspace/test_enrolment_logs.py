"""An enrolment link's token never reaches a log, whatever refuses the request (a link scanner's
HEAD, a failed CSRF check, a 404), and a refused request leaves the link usable by its owner."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from chorus.core.logfilters import REDACTED
from chorus.orgs import services as org_services
from chorus.staff import services as staff_services
from tests.orgs.helpers import issue
from tests.workspace.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LOGGERS = ("", "django", "django.request", "django.security", "django.security.csrf", "chorus")


class _Collect(logging.Handler):
    """Every record, with its arguments and every extra attribute (a handler elsewhere, such as
    an error tracker, could read those)."""

    STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in self.STANDARD}
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r} {extra!r}")


@pytest.fixture
def logged() -> Iterator[list[str]]:
    handler = _Collect()
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler.lines
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)


def _org_admin_link() -> tuple[str, str]:
    _org, _admin, token = org_services.organisation_add(
        name="Acme", admin_username="acme-admin", issue_enrolment=issue
    )
    return "/workspace/orgs/enrol/", token


def _advocate_link() -> tuple[str, str]:
    _user, token = staff_services.staff_enrolment_issue(username="alice")
    return "/workspace/enrol/", token


LINKS = [_org_admin_link, _advocate_link]


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("method", ["head", "options", "put"])
def test_a_refused_method_does_not_log_the_token(link, method: str, logged: list[str]) -> None:
    prefix, token = link()
    response = getattr(Client(), method)(prefix + token)
    assert response.status_code == 405
    assert logged, "Django logs a 405: the test would see the token if it were there"
    assert not any(token in line for line in logged), logged
    assert any(f"{prefix}{REDACTED}" in line for line in logged), logged


@pytest.mark.parametrize("link", LINKS)
def test_a_failed_csrf_check_does_not_log_the_token(link, logged: list[str]) -> None:
    prefix, token = link()
    client = Client(enforce_csrf_checks=True)
    page = client.get(prefix + token)
    assert page.status_code == 200
    form = {"password": PASSWORD, "password_again": PASSWORD}
    # A browser that sends Origin: null (no-referrer) and no Fetch Metadata fails the check.
    response = client.post(
        prefix + token,
        {**form, "csrfmiddlewaretoken": page.context["csrf_token"]},
        HTTP_ORIGIN="null",
    )
    assert response.status_code == 403
    assert logged
    assert not any(token in line for line in logged), logged
    # Nothing was spent: the link's owner can still enrol.
    assert Client().post(prefix + token, form).status_code == 302


def test_the_enrolment_code_page_is_not_redacted(logged: list[str]) -> None:
    assert Client().head("/workspace/enrol/code").status_code == 405
    assert any("/workspace/enrol/code" in line for line in logged), logged
