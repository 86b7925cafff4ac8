"""Workspace sessions: their own cookie, scoped to /workspace/, never shared with the survivor site.

SecureDrop keeps its source and journalist interfaces apart; so does Chorus. The survivor site's
session cookie is ignored under /workspace/, and the workspace's cookie is sent nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

from chorus.orgs.models import Membership
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_enrolled, staff_is_operator

WORKSPACE_PATH = "/workspace/"
SESSION_STAFF = "chorus_staff"  # an enrolled staff member who gave password and code
SESSION_PENDING = "chorus_staff_pending"  # gave the password; the code is still to come
SESSION_ENROLLING = "chorus_staff_enrolling"  # set a password; the first code is to come


def workspace_cookie_name() -> str:
    return "__Secure-chorus-workspace" if settings.SESSION_COOKIE_SECURE else "chorus-workspace"


class SeparateSessionMiddleware(SessionMiddleware):
    """Django's session middleware with one cookie per side: the survivor site's (settings'
    name and path) and the workspace's (its own name, Path=/workspace/)."""

    @staticmethod
    def _cookie(request: HttpRequest) -> tuple[str, str]:
        if request.path.startswith(WORKSPACE_PATH):
            return workspace_cookie_name(), WORKSPACE_PATH
        return settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_PATH

    def process_request(self, request: HttpRequest) -> None:
        name, _path = self._cookie(request)
        request.session = self.SessionStore(request.COOKIES.get(name))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # Django's own logic (django.contrib.sessions.middleware), with the cookie chosen above.
        name, path = self._cookie(request)
        try:
            accessed = request.session.accessed
            modified = request.session.modified
            empty = request.session.is_empty()
        except AttributeError:
            return response
        if name in request.COOKIES and empty:
            response.delete_cookie(
                name, path=path, domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )  # fmt: skip
            need_vary_cookie = True
        else:
            need_vary_cookie = accessed
            if (modified or settings.SESSION_SAVE_EVERY_REQUEST) and not empty:
                if request.session.get_expire_at_browser_close():
                    max_age, expires = None, None
                else:
                    max_age = request.session.get_expiry_age()
                    expires = http_date(time.time() + max_age)
                if response.status_code < 500:
                    try:
                        request.session.save()
                    except UpdateError:
                        raise SessionInterrupted(
                            "The request's session was deleted before the request completed."
                        ) from None
                    response.set_cookie(
                        name, request.session.session_key or "", max_age=max_age,
                        expires=expires, domain=settings.SESSION_COOKIE_DOMAIN, path=path,
                        secure=bool(settings.SESSION_COOKIE_SECURE),
                        httponly=bool(settings.SESSION_COOKIE_HTTPONLY),
                        samesite=settings.SESSION_COOKIE_SAMESITE,  # type: ignore[arg-type]
                    )  # fmt: skip
                    need_vary_cookie = True
        if need_vary_cookie:
            patch_vary_headers(response, ("Cookie",))
        return response


def session_staff(request: HttpRequest) -> StaffMember | None:
    """The staff member who signed in with password and TOTP code, or None."""
    user_id = request.session.get(SESSION_STAFF)
    if user_id is None:
        return None
    staff = staff_enrolled(user_id=user_id)
    if staff is None:  # deactivated while signed in
        request.session.flush()
    return staff


def session_begin(request: HttpRequest, *, key: str, user_id: int) -> None:
    """A new session key at every step up (no fixation), holding one step's user id only."""
    request.session.cycle_key()
    for other in (SESSION_STAFF, SESSION_PENDING, SESSION_ENROLLING):
        request.session.pop(other, None)
    request.session[key] = user_id


def staff_is_org_member(staff: StaffMember) -> bool:
    """Whether this staff user works, or ever worked, for an organisation (chorus.orgs). Such a
    user is never an advocate: an advocate key would have survivors' escrow envelopes sealed to
    it. A member removed from their organisation stays excluded (a user joins at most one
    organisation, ever)."""
    return Membership.objects.filter(user_id=staff.user_id).exists()


def session_advocate(request: HttpRequest) -> StaffMember | None:
    """The signed-in staff member if they are an advocate (not an organisation's member)."""
    staff = session_staff(request)
    if staff is None or staff_is_org_member(staff) or staff_is_operator(staff):
        return None
    return staff


def advocate_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of a signed-in advocate (password and code); others get the sign-in page, and an
    organisation's member their organisation's pages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = session_staff(request)
        if staff is None:
            return redirect("workspace:signin")
        if staff_is_org_member(staff):
            return redirect("workspace:orgs")
        if staff_is_operator(staff):
            return redirect("workspace:operator")
        request.staff = staff  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def advocate_required_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """JSON endpoints of a signed-in advocate; others (an organisation's member too) get one
    uniform 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = session_advocate(request)
        if staff is None:
            return JsonResponse({"message": _("Not found."), "code": "not_found"}, status=404)
        request.staff = staff  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped
