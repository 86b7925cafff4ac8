"""Django's template engine logs whole contexts at DEBUG; Chorus drops those records."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.template import Context, Template

from chorus.core.logfilters import REDACTED, DropTemplateContext, RedactEnrolmentTokens


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def template_log() -> Iterator[_Collect]:
    logger = logging.getLogger("django.template")
    level, handler = logger.level, _Collect()
    logger.setLevel(logging.DEBUG)  # an operator turning logging all the way up
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_failed_lookup_does_not_log_the_context(template_log: _Collect) -> None:
    assert any(
        isinstance(f, DropTemplateContext) for f in logging.getLogger("django.template").filters
    )
    Template("{{ missing.attribute }}").render(Context({"secret": "JBSWY3DPEHPK3PXP"}))
    assert template_log.records == []


def test_without_the_filter_django_would_log_it(template_log: _Collect) -> None:
    logger = logging.getLogger("django.template")
    filters = list(logger.filters)
    for f in filters:
        logger.removeFilter(f)
    try:
        Template("{{ missing.attribute }}").render(Context({"secret": "JBSWY3DPEHPK3PXP"}))
    finally:
        for f in filters:
            logger.addFilter(f)
    logged = "\n".join(logging.Formatter().format(r) for r in template_log.records)
    assert "JBSWY3DPEHPK3PXP" in logged


def _record(msg: str, args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, msg, None, None)
    record.args = args  # type: ignore[assignment]
    for key, value in extra.items():
        setattr(record, key, value)
    return record


class _Request:
    def __init__(self, path: str) -> None:
        self.path = path


def test_enrolment_tokens_are_redacted_in_every_part_of_a_record() -> None:
    token = "tok-3n_rolment-token-value"
    redact = RedactEnrolmentTokens()
    record = _record(
        "%s: %s",
        ("Not Found", f"/workspace/enrol/{token}"),
        request=_Request(f"/workspace/enrol/{token}"),
    )
    assert redact.filter(record)
    assert record.getMessage() == f"Not Found: /workspace/enrol/{REDACTED}"
    assert not hasattr(record, "request")
    record = _record(
        f"at /workspace/orgs/enrol/{token}?x=1: %(why)s", {"why": f"/workspace/orgs/enrol/{token}"}
    )
    assert redact.filter(record)
    assert token not in record.getMessage()
    # Other paths, and the code page, are left alone.
    record = _record("%s", ("/workspace/enrol/code",), request=_Request("/cases/abc"))
    assert redact.filter(record)
    assert record.getMessage() == "/workspace/enrol/code"
    assert hasattr(record, "request")
