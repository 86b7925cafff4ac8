"""Organisation errors: each says what the person can do about it."""

from __future__ import annotations

from chorus.core.errors import ChorusError


class OrgError(ChorusError):
    code = "org"


class OrgNotFoundError(OrgError):
    """Uniform for "does not exist" and "not yours": same status, same message, same body."""

    status = 404
    code = "not_found"


class HandlerKeyError(OrgError):
    code = "handler_key"
