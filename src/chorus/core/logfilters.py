"""What must never reach a log, whatever level an operator turns logging up to."""

from __future__ import annotations

import logging
import re


class DropTemplateContext(logging.Filter):
    """Drops Django's template-engine records below INFO.

    At DEBUG, Django logs every failed variable lookup together with the whole template context
    (``Exception while resolving variable``, django.template.base). A context can hold what
    the page shows a person once: a staff member's TOTP secret on the enrolment page, for one.
    Nothing else the engine logs below INFO is worth that risk.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


# An enrolment link's token is in its path, and still works after a refused request (a link
# scanner's HEAD, a failed CSRF check): whoever read it in a log could enrol instead.
_ENROLMENT_PATH = re.compile(r"(/workspace/(?:orgs/)?enrol/)(?!code(?:[/\s'\"]|$))[^/\s'\"?#]+")
REDACTED = "[redacted]"


def _redact(value: object) -> object:
    return _ENROLMENT_PATH.sub(rf"\g<1>{REDACTED}", value) if isinstance(value, str) else value


class RedactEnrolmentTokens(logging.Filter):
    """Replaces the token of an enrolment path in a record's message and arguments, and drops
    the request Django attaches to it (its repr and any handler reading ``request.path`` would
    show the path). For the loggers that name a refused request's path: ``django.request``
    (404, 405, ...) and ``django.security.csrf`` (a failed CSRF check)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact(arg) for key, arg in record.args.items()}
        request = getattr(record, "request", None)
        if request is not None and _ENROLMENT_PATH.search(str(getattr(request, "path", ""))):
            delattr(record, "request")
        return True
