"""Errors of the key servers, with messages a person can act on."""

from __future__ import annotations

from chorus.core.errors import ChorusError, RateLimitedError


class KeyserverError(ChorusError):
    code = "invalid_element"


class KeyserverLimitError(RateLimitedError):
    code = "rate_limited"


class KeyserverUnavailableError(ChorusError):
    status = 503
    code = "keyserver_unavailable"
