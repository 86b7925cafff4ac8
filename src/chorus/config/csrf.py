"""Which page answers a form whose CSRF check failed: the workspace's own for /workspace/, the
survivor site's otherwise (settings.CSRF_FAILURE_VIEW). The interfaces stay independent; only
configuration knows both."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from chorus.public.views import csrf_failure as public_csrf_failure
from chorus.workspace.views import csrf_failure as workspace_csrf_failure


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/workspace/"):
        return workspace_csrf_failure(request, reason)
    return public_csrf_failure(request, reason)
