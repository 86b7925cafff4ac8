"""The organisation's case pages: the case a member opens from the inbox on their home page.

Everything readable happens in the member's browser (frontend/src/workspace/cases.js): it
unwraps their private key with the passphrase, opens the sealed case key, then the report, the
messages and the notes, and boxes what the member writes. This view renders the page and says
which JSON addresses of reports.md §11.3 it uses; a case the member may not open (another
organisation's, one they were excluded from, a held or unknown one) is the uniform 404 page.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chorus.orgs import services as org_services
from chorus.orgs.models import Membership
from chorus.reports import access
from chorus.reports.errors import ReportError
from chorus.reports.models import Case
from chorus.workspace.orgs import member_required

_REF = re.compile(r"[0-9a-f]{32}")


def _questions() -> list[list[str]]:
    """The record's questions, as the survivor answered them (the same words as the survivor
    site's record pages; chorus.public is not imported here, the two sites stay apart)."""
    return [
        ["what", _("What happened?")],
        ["when", _("When did it happen?")],
        ["where", _("Where did it happen?")],
        ["who", _("Who did it?")],
        ["witnesses", _("Did anyone see or hear it, or did you tell anyone afterwards?")],
        ["impact", _("How has it affected you?")],
    ]


def _not_found(request: HttpRequest, member: Membership) -> HttpResponse:
    context = {"staff": True, "organisation": member.organisation, "error": access.case_not_found()}
    return render(request, "workspace/orgs/not_found.html", context, status=404)


@require_GET
@member_required()
def case_page(request: HttpRequest, member: Membership, ref: str) -> HttpResponse:
    if not _REF.fullmatch(ref):
        return _not_found(request, member)
    try:
        case = access.access_case(membership=member, case_ref=bytes.fromhex(ref))
    except ReportError:
        return _not_found(request, member)
    slug = member.organisation.slug
    base = reverse("workspace:org_case", kwargs={"slug": slug, "ref": ref})
    setup = {
        "case": ref,
        "slug": slug,
        "me": member.pk,
        "data_url": base,
        "status_url": f"{base}/status",
        "assign_url": f"{base}/assign",
        "messages_url": f"{base}/messages",
        "notes_url": f"{base}/notes",
        "grants_url": f"{base}/grants",
        "keys_url": f"/orgs/{slug}/keys",
        "key_ctx": org_services.HANDLER_KEY_CTX.hex(),
        "statuses": [[value, label] for value, label in Case.Status.choices if value != "held"],
        "modes": dict(Case.Mode.choices),
        "questions": _questions(),
    }
    context = {
        "staff": True,
        "member": member,
        "organisation": member.organisation,
        "case": case,
        "ref": ref,
        "setup": setup,
    }
    return render(request, "workspace/orgs/case.html", context)


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/inbox/<str:ref>", case_page, name="org_inbox_case"),
]
