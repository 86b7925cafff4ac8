from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"exit_url": settings.CONFIG.exit_url, "help_links": settings.CONFIG.help_links}
