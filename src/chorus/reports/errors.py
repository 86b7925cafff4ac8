"""Report errors: each says what the survivor can do about it."""

from __future__ import annotations

from chorus.core.errors import ChorusError


class ReportError(ChorusError):
    code = "report"


class ReportInvalidError(ReportError):
    """The request is not what the report page sends: nothing was stored."""

    code = "invalid"


class ReportTooLargeError(ReportError):
    status = 413
    code = "too_large"


class ReportNotFoundError(ReportError):
    """Uniform for "no such organisation" or "no such case"."""

    status = 404
    code = "not_found"


class ReportDuplicateError(ReportError):
    status = 409
    code = "duplicate"


class ReportConflictError(ReportError):
    """A message or note numbered other than the last + 1: the browser reloads and re-boxes."""

    status = 409
    code = "conflict"


class ReportReadOnlyError(ReportError):
    """A supporter the reporter allowed to read but not to write."""

    status = 403
    code = "read_only"
