"""The operator's page: register organisations and their first admin (reports.md §3).

The operator is the staff user who runs this Chorus (`chorus operator-add`); the same thing can
be done with `chorus org-add`. Anyone else signed in gets the workspace's 404 page; the enrolment
link is shown once, on the page that answers the form, and never stored in clear or logged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chorus.core.errors import ChorusError
from chorus.orgs import selectors as org_selectors
from chorus.orgs import services as org_services
from chorus.staff.selectors import staff_is_operator
from chorus.workspace.orgs import issue_enrolment
from chorus.workspace.session import session_staff, staff_is_org_member

FORM_FIELDS = ("name", "slug", "admin", "display_name")


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as an operator; not signed in: the sign-in page; anyone else: the 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = session_staff(request)
        if staff is None:
            return redirect("workspace:signin")
        if not staff_is_operator(staff) or staff_is_org_member(staff):
            error = ChorusError(_("There is nothing here."))
            return render(
                request, "workspace/not_found.html", {"staff": staff, "error": error}, status=404
            )
        request.staff = staff  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _page(
    request: HttpRequest,
    *,
    form: dict[str, str] | None = None,
    added: dict[str, str] | None = None,
    error: ChorusError | None = None,
) -> HttpResponse:
    context = {
        "staff": request.staff,  # type: ignore[attr-defined]
        "organisations": org_selectors.organisations_overview(),
        "form": form or {},
        "added": added,
        "error": error,
    }
    return render(
        request, "workspace/operator/home.html", context, status=error.status if error else 200
    )


@require_GET
@never_cache
@operator_required
def operator_home(request: HttpRequest) -> HttpResponse:
    """GET /workspace/operator/: the organisations and the form to register one."""
    return _page(request)


@require_POST
@never_cache
@operator_required
def operator_org_add(request: HttpRequest) -> HttpResponse:
    """POST /workspace/operator/orgs: register; the page shows the admin's link once."""
    form = {name: request.POST.get(name, "")[:200] for name in FORM_FIELDS}
    try:
        organisation, admin, token = org_services.organisation_add(
            name=form["name"],
            slug=form["slug"],
            admin_username=form["admin"],
            admin_display_name=form["display_name"],
            issue_enrolment=issue_enrolment,
            actor_id=request.staff.user_id,  # type: ignore[attr-defined]
        )
    except ChorusError as exc:
        return _page(request, form=form, error=exc)
    link = request.build_absolute_uri(reverse("workspace:org_enrol", kwargs={"token": token}))
    added = {"name": organisation.name, "slug": organisation.slug, "admin": admin.display_name}
    return _page(request, added={**added, "link": link})


urlpatterns: list[URLPattern] = [
    path("", operator_home, name="operator"),
    path("orgs", operator_org_add, name="operator_org_add"),
]
