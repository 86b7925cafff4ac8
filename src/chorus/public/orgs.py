"""What a reporter's browser needs to seal a report to an organisation (reports.md §4)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chorus.orgs import selectors


@require_GET
def org_keys(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's current members' public keys: key id, suite, public key and the
    display name the organisation chose. Nothing else about its members (no username, role,
    user id) and nothing about its cases."""
    organisation = selectors.organisation_by_slug(slug=slug)
    if organisation is None:
        return JsonResponse(
            {"error": "not_found", "message": _("There is no organisation at this address.")},
            status=404,
        )
    keys = selectors.organisation_public_keys(organisation=organisation)
    return JsonResponse(
        {
            "organisation": {"slug": organisation.slug, "name": organisation.name},
            "keys": [
                {
                    "id": k.key_id,
                    "suite": k.suite,
                    "public_key": k.public_key.hex(),
                    "display_name": k.display_name,
                }
                for k in keys
            ],
        },
        # no-store: a copy on the device would show which organisation a survivor reported to.
        headers={"Cache-Control": "no-store"},
    )
