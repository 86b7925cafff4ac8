"""Record errors: each says what the survivor can do about it."""

from __future__ import annotations

from chorus.core.errors import ChorusError


class RecordError(ChorusError):
    code = "record"


class RecordInvalidError(RecordError):
    """The request is not what the record page sends: nothing was stored."""

    code = "invalid"


class RecordTooLargeError(RecordError):
    status = 413
    code = "too_large"


class RecordNotFoundError(RecordError):
    """Uniform for "not yours" and "does not exist"."""

    status = 404
    code = "not_found"


class StampInvalidError(RecordError):
    """A time stamp's signature does not verify under this deployment's key."""

    code = "stamp_invalid"
