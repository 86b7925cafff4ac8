"""What must never reach a log, whatever level an operator turns logging up to."""

from __future__ import annotations

import logging


class DropTemplateContext(logging.Filter):
    """Drops Django's template-engine records below INFO.

    At DEBUG, Django logs every failed variable lookup together with the whole template context
    (``Exception while resolving variable``, django.template.base). A context can hold what
    the page shows a person once: a staff member's TOTP secret on the enrolment page, for one.
    Nothing else the engine logs below INFO is worth that risk.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO
