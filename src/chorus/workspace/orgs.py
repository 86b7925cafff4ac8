"""The organisations' workspace: thin views over chorus.orgs and chorus.staff.

Org staff sign in like advocates (password, then a required TOTP code); they enrol through their
own pages here so that enrolment ends at their organisation's key page. Every page of an
organisation goes through chorus.orgs.access: a signed-in staff member who is not a current
member of that organisation gets the same 404 page whether it exists or not (reports.md §5).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.core.errors import ChorusError
from chorus.orgs import access, selectors
from chorus.orgs import services as org_services
from chorus.orgs.errors import OrgNotFoundError
from chorus.orgs.models import Membership
from chorus.reports import notifications as report_notifications
from chorus.reports import selectors as report_selectors
from chorus.reports import services as report_services
from chorus.reports.models import Case
from chorus.staff import services as staff_services
from chorus.staff.errors import StaffError
from chorus.staff.selectors import staff_enrolling, staff_totp_secret
from chorus.workspace.session import (
    SESSION_ENROLLING,
    SESSION_STAFF,
    session_begin,
    session_staff,
)
from chorus.workspace.views import _limit

MAX_KEY_BODY = 8192


def issue_enrolment(username: str) -> tuple[int, str]:
    """chorus.staff's enrolment link, in the shape chorus.orgs asks for."""
    user, token = staff_services.staff_enrolment_issue(username=username)
    return int(user.pk), token


def deactivate(username: str) -> int:
    return staff_services.staff_deactivate(username=username)


def _not_found_page(request: HttpRequest, staff: Any, error: ChorusError) -> HttpResponse:
    return render(
        request, "workspace/orgs/not_found.html", {"staff": staff, "error": error}, status=404
    )


def _not_found_json() -> JsonResponse:
    error = access.org_not_found()
    return JsonResponse({"error": error.code, "message": error.message}, status=404)


def member_required(
    *, admin: bool = False, json_body: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Pages of a signed-in member of the organisation in the URL (an admin if ``admin``).
    Not signed in: the sign-in page (or a 404 for JSON). Signed in, not a member: a uniform
    404, the same for an organisation that does not exist."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = session_staff(request)
            if staff is None:
                return _not_found_json() if json_body else redirect("workspace:signin")
            find = access.access_admin if admin else access.access_membership
            try:
                member = find(user_id=staff.user_id, slug=slug)
            except OrgNotFoundError as exc:
                return _not_found_json() if json_body else _not_found_page(request, staff, exc)
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, member, *args, **kwargs)

        return wrapped

    return decorate


def _home_context(member: Membership) -> dict[str, Any]:
    organisation = member.organisation
    members = selectors.organisation_members(organisation=organisation) if member.is_admin else []
    return {
        "staff": True,
        "member": member,
        "organisation": organisation,
        "key": selectors.member_key_active(membership=member),
        "members": [
            {"m": m, "has_key": selectors.member_key_active(membership=m) is not None}
            for m in members
        ],
        "roles": Membership.Role.choices,
        # Counts by status and mode for admins, each cell shown only at 5 or more.
        "counts": _counts_table(member) if member.is_admin else None,
    }


# --- enrolment ------------------------------------------------------------------------------


def _unlogged(response: HttpResponse) -> HttpResponse:
    """Keep the path out of Django's "Bad Request: <path>" log line: it holds the enrolment
    token, which still works after a mistyped password (as in chorus.workspace.views)."""
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log's own flag
    return response


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    try:
        staff = staff_services.staff_enrolment_open(token=token)
    except StaffError as exc:
        return _unlogged(
            render(request, "workspace/enrol_gone.html", {"error": exc}, status=exc.status)
        )
    context: dict[str, Any] = {"username": staff.user.get_username()}
    if request.method == "GET":
        return render(request, "workspace/enrol.html", context)
    password = request.POST.get("password", "")
    try:
        if password != request.POST.get("password_again", ""):
            raise StaffError(_("The two passwords are not the same. Type them again."))
        staff = staff_services.staff_enrolment_password(token=token, password=password)
    except StaffError as exc:
        return _unlogged(
            render(request, "workspace/enrol.html", {**context, "error": exc}, status=400)
        )
    session_begin(request, key=SESSION_ENROLLING, user_id=staff.user_id)
    return redirect("workspace:org_enrol_code")


@require_http_methods(["GET", "POST"])
def enrol_code(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(SESSION_ENROLLING)
    staff = None if user_id is None else staff_enrolling(user_id=user_id)
    if staff is None:
        return redirect("workspace:signin")
    uri = staff_services.staff_totp_uri(staff=staff)
    qr = segno.make(uri, error="m").svg_inline(
        scale=5, light="#fff", title=_("QR code for your authenticator app"), svgclass="qr"
    )
    context: dict[str, Any] = {"qr": mark_safe(qr), "secret": staff_totp_secret(staff=staff)}  # noqa: S308
    if request.method == "GET":
        return render(request, "workspace/orgs/enrol_code.html", context)
    try:
        _limit(request, who=f"#{user_id}")
        staff_services.staff_totp_confirm(user_id=staff.user_id, code=request.POST.get("code", ""))
    except ChorusError as exc:
        return render(
            request, "workspace/orgs/enrol_code.html", {**context, "error": exc}, status=exc.status
        )
    session_begin(request, key=SESSION_STAFF, user_id=staff.user_id)
    return redirect("workspace:orgs")


# --- pages ------------------------------------------------------------------------------------


@require_GET
def orgs(request: HttpRequest) -> HttpResponse:
    """Where org staff land: their own organisation's home."""
    staff = session_staff(request)
    if staff is None:
        return redirect("workspace:signin")
    member = selectors.membership_of(user_id=staff.user_id)
    if member is None:
        return _not_found_page(request, staff, access.org_not_found())
    return redirect("workspace:org_home", slug=member.organisation.slug)


def _counts_table(member: Membership) -> dict[str, list[tuple[str, int | str]]]:
    """The organisation's case counts with their labels, for the admin's home page."""
    counts = report_selectors.case_counts(organisation=member.organisation)
    statuses = dict(Case.Status.choices)
    modes = dict(Case.Mode.choices)
    return {
        "by_status": [(statuses[s], n) for s, n in counts["by_status"].items()],
        "by_mode": [(modes[m], n) for m, n in counts["by_mode"].items()],
    }


@require_GET
@member_required()
def home(request: HttpRequest, member: Membership) -> HttpResponse:
    context = _home_context(member)
    context["email_saved"] = request.GET.get("email") in ("saved", "cleared")
    return render(request, "workspace/orgs/home.html", context)


@require_POST
@member_required()
def email(request: HttpRequest, member: Membership) -> HttpResponse:
    """POST …/email: where this member's "something changed" mail goes ("" stops it)."""
    address = request.POST.get("email", "")[:254]
    try:
        report_notifications.member_email_set(
            username=member.user.get_username(), email=address, actor_id=member.user_id
        )
    except ChorusError as exc:
        context = _home_context(member)
        context.update(error=exc, email_form=address)
        return render(request, "workspace/orgs/home.html", context, status=exc.status)
    done = "saved" if address.strip() else "cleared"
    return redirect(
        f"{reverse('workspace:org_home', args=[member.organisation.slug])}?email={done}"
    )


def _hex_field(data: dict[str, Any], name: str) -> bytes:
    value = data.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError
        return bytes.fromhex(value)
    except ValueError:
        raise ChorusError(_("%(name)s must be a hexadecimal string.") % {"name": name}) from None


@require_GET
@member_required()
def key(request: HttpRequest, member: Membership) -> HttpResponse:
    return render(
        request,
        "workspace/orgs/key.html",
        {**_home_context(member), "key_ctx": org_services.HANDLER_KEY_CTX.hex()},
    )


@require_POST
@member_required(json_body=True)
def key_upload(request: HttpRequest, member: Membership) -> HttpResponse:
    try:
        if len(request.body) > MAX_KEY_BODY:
            raise ChorusError(_("The request is too large."))
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ChorusError(_("The request is not JSON.")) from None
        if not isinstance(data, dict):
            raise ChorusError(_("The request must be a JSON object."))
        suite = data.get("suite")
        if not isinstance(suite, int) or isinstance(suite, bool):
            raise ChorusError(_("suite must be a number: 1 or 2."))
        created = org_services.member_key_create(
            member=member,
            suite=suite,
            public_key=_hex_field(data, "public_key"),
            wrapped_private_key=_hex_field(data, "wrapped_private_key"),
        )
    except ChorusError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"key": created.pk, "suite": created.suite}, status=201)


@require_POST
@member_required(admin=True)
def invite(request: HttpRequest, admin: Membership) -> HttpResponse:
    context = _home_context(admin)
    username = request.POST.get("username", "")
    display_name = request.POST.get("display_name", "")
    try:
        invited, token = org_services.member_invite(
            admin=admin,
            username=username,
            display_name=display_name,
            role=request.POST.get("role", Membership.Role.HANDLER),
            issue_enrolment=issue_enrolment,
        )
    except ChorusError as exc:
        context.update(
            error=exc, form={"username": username[:150], "display_name": display_name[:80]}
        )
        return render(request, "workspace/orgs/home.html", context, status=exc.status)
    link = request.build_absolute_uri(reverse("workspace:org_enrol", kwargs={"token": token}))
    context = _home_context(admin)
    context["invited"] = {"member": invited, "link": link}
    response = render(request, "workspace/orgs/home.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_required(admin=True)
def remove(request: HttpRequest, admin: Membership, member_id: int) -> HttpResponse:
    try:
        org_services.member_remove(
            admin=admin,
            member_id=member_id,
            deactivate=deactivate,
            release=report_services.member_cases_release,
        )
    except OrgNotFoundError as exc:
        return _not_found_page(request, True, exc)
    return redirect("workspace:org_home", slug=admin.organisation.slug)


urlpatterns: list[URLPattern] = [
    path("", orgs, name="orgs"),
    path("enrol/code", enrol_code, name="org_enrol_code"),
    path("enrol/<str:token>", enrol, name="org_enrol"),
    path("<slug:slug>/", home, name="org_home"),
    path("<slug:slug>/key", key, name="org_key"),
    path("<slug:slug>/key/upload", key_upload, name="org_key_upload"),
    path("<slug:slug>/email", email, name="org_email"),
    path("<slug:slug>/members", invite, name="org_invite"),
    path("<slug:slug>/members/<int:member_id>/remove", remove, name="org_remove"),
]
