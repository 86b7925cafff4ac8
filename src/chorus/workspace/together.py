"""Reports "together" on the organisation's side (docs/protocols/reports.md §7.6).

A released group lists its cases with the member's own sealed shares. The member's browser
(frontend/src/together/member.js) unwraps their private key, opens the shares, recovers the
entry key from t of them, opens each entry to the case key, checks the case reference, seals
the case key to the member's own key and posts that back as a claim; from then on the case is
in their inbox like any other. The server hands over ciphertext only and stores what it gets.
"""

from __future__ import annotations

import base64
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.orgs.models import Membership
from chorus.orgs.services import HANDLER_KEY_CTX
from chorus.together import services
from chorus.together.errors import TogetherError
from chorus.workspace.orgs import member_required


def _json_error(error: TogetherError) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


@require_GET
@member_required()
def together_groups(request: HttpRequest, member: Membership) -> HttpResponse:
    """GET …/together: the released groups this member can open."""
    context = {
        "staff": True,
        "member": member,
        "organisation": member.organisation,
        "groups": services.groups_list(membership=member),
    }
    return render(request, "workspace/orgs/together.html", context)


@require_GET
@member_required()
def together_group(request: HttpRequest, member: Membership, group_id: int) -> HttpResponse:
    """GET …/together/<id>: the page that opens a group in the member's browser."""
    try:
        opened = services.group_open(membership=member, group_id=group_id)
    except TogetherError as exc:
        context = {"staff": True, "member": member, "organisation": member.organisation}
        context["error"] = exc
        return render(request, "workspace/orgs/together_gone.html", context, status=exc.status)
    context = {
        "staff": True,
        "member": member,
        "organisation": member.organisation,
        "group": opened.group,
        "cases": [
            {"ref": bytes(c.case.case_ref).hex(), "day": c.case.created_day, "claimed": c.claimed}
            for c in opened.cases
        ],
    }
    return render(request, "workspace/orgs/together_group.html", context)


@require_GET
@member_required(json_body=True)
def together_shares(request: HttpRequest, member: Membership, group_id: int) -> HttpResponse:
    """GET …/together/<id>/shares: what the member's browser needs to open the group."""
    try:
        opened = services.group_open(membership=member, group_id=group_id)
    except TogetherError as exc:
        return _json_error(exc)
    organisation = member.organisation
    return JsonResponse(
        {
            "group": opened.group.pk,
            "threshold": opened.threshold,
            "ctx": opened.ctx.hex(),
            "index": bytes(opened.group.index).hex(),
            "slug": organisation.slug,
            "key": {
                "id": opened.key.pk,
                "suite": opened.key.suite,
                "public_key": bytes(opened.key.public_key).hex(),
            },
            "wrapped_private_key": bytes(opened.key.wrapped_private_key).hex(),
            "key_ctx": HANDLER_KEY_CTX.hex(),
            "cases": [
                {
                    "case": bytes(c.case.case_ref).hex(),
                    "sealed": base64.b64encode(c.sealed).decode(),
                    "body": base64.b64encode(bytes(c.case.body)).decode(),
                    "claimed": c.claimed,
                }
                for c in opened.cases
            ],
        }
    )


@require_POST
@member_required(json_body=True)
def together_claim(request: HttpRequest, member: Membership, group_id: int) -> HttpResponse:
    """POST …/together/<id>/claim {"cases": [{"case", "sealed"}]}: 201 {"claimed": [ref…]}."""
    try:
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            message = _("The request is not valid JSON. Nothing was stored.")
            return JsonResponse({"message": message, "code": "invalid"}, status=400)
        claims = services.claims_parse(data)
        cases = services.cases_claim(membership=member, group_id=group_id, claims=claims)
    except TogetherError as exc:
        return _json_error(exc)
    return JsonResponse({"claimed": [bytes(c.case_ref).hex() for c in cases]}, status=201)


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/together", together_groups, name="org_together"),
    path("<slug:slug>/together/<int:group_id>", together_group, name="org_together_group"),
    path(
        "<slug:slug>/together/<int:group_id>/shares",
        together_shares,
        name="org_together_shares",
    ),
    path("<slug:slug>/together/<int:group_id>/claim", together_claim, name="org_together_claim"),
]
