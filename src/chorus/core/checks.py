"""System checks that fail closed for unsafe production set-ups."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_config(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    config = settings.CONFIG
    problems: list[CheckMessage] = []
    if config.production and config.debug:
        problems.append(Error("DEBUG must be off in production.", id="chorus.E001"))
    if config.production and config.cache_url == "locmem://" and config.rate_limit_voices:
        # Not an error: per-process limits still work, just less tightly. Documented.
        pass
    return problems
