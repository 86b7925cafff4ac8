"""A case sent over HTTP with everyone around it: the reporter, the organisation's members and
their secret keys, for the survivor-side and workspace-side case tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.orgs.models import HandlerKey
from chorus.reports.models import Case, Supporter
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for
from tests.reports.helpers import entry_request, report_request
from tests.workspace.helpers import sign_in


@dataclass
class Sent:
    org: Org
    ref: str
    case_ref: bytes
    case_key: bytes
    account: Account
    reporter: Client
    keys: dict[str, HandlerKey]
    sks: dict[str, bytes]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.org.organisation.slug

    @property
    def case(self) -> Case:
        return Case.objects.get(case_ref=self.case_ref)

    @property
    def ws(self) -> str:
        return f"/workspace/orgs/{self.slug}/cases/{self.ref}"

    @property
    def public(self) -> str:
        return f"/reports/cases/{self.ref}"

    def entry(self, n: int, text: str = "Thank you.", *, note: bool = False) -> str:
        return entry_request(
            case_key=self.case_key,
            slug=self.slug,
            case_ref=self.case_ref,
            n=n,
            text=text,
            note=note,
        )


def member_client(org: Org, who: str = "handler") -> Client:
    client = Client()
    sign_in(client, org.handler_staff if who == "handler" else org.admin_staff)
    return client


def send(
    org: Org,
    *,
    exclude_handler: bool = False,
    mode: str = "anonymous",
    text: str = "He followed me home.",
    account: Account | None = None,
) -> Sent:
    """A report sent over HTTP, sealed to the admin and (unless excluded) the handler."""
    keys: dict[str, HandlerKey] = {}
    sks: dict[str, bytes] = {}
    for who, member in (("admin", org.admin), ("handler", org.handler)):
        existing = HandlerKey.objects.filter(membership=member, retired__isnull=True).first()
        if existing is None:
            keys[who], sks[who] = key_for(member)
        else:
            keys[who] = existing
    recipients = [keys["admin"]] if exclude_handler else [keys["admin"], keys["handler"]]
    data, case_key, case_ref = report_request(
        slug=org.organisation.slug,
        keys=[(k.pk, k.suite, bytes(k.public_key)) for k in recipients],
        excluded=[keys["handler"].pk] if exclude_handler else [],
        mode=mode,
        text=text,
    )
    account = account or account_make()
    reporter = client_signed_in(account)
    response = reporter.post("/reports", json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    return Sent(org, case_ref.hex(), case_ref, case_key, account, reporter, keys, sks)


def supporter_of(sent: Sent, *, can_write: bool = True, accepted: bool = True) -> Client:
    """A supporter row planted directly (helper C's invitation flow makes it over HTTP); returns
    the supporter's signed-in client."""
    account = account_make()
    Supporter.objects.create(
        case=sent.case,
        account=account,
        invite_expires=timezone.now(),
        box=b"\x05" * 61,
        can_write=can_write,
        accepted=timezone.now() if accepted else None,
    )
    return client_signed_in(account)


def post_json(client: Client, url: str, body: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, raw, content_type="application/json")
