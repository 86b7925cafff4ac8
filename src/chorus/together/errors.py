"""Together errors: each says what the survivor or member can do about it."""

from __future__ import annotations

from chorus.core.errors import ChorusError


class TogetherError(ChorusError):
    code = "together"


class TogetherInvalidError(TogetherError):
    """The request is not what the page sends: nothing was stored."""

    code = "invalid"


class TogetherTooLargeError(TogetherError):
    status = 413
    code = "too_large"


class TogetherNotFoundError(TogetherError):
    """Uniform for "no such organisation, case or group" and "not yours"."""

    status = 404
    code = "not_found"


class TogetherDuplicateError(TogetherError):
    status = 409
    code = "duplicate"


class TogetherNotReadyError(TogetherError):
    """Nobody at the organisation has made a key: nothing could ever be opened."""

    status = 503
    code = "not_ready"


class TogetherLimitError(TogetherError):
    status = 429
    code = "too_many_entries"
