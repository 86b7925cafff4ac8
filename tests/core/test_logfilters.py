"""Django's template engine logs whole contexts at DEBUG; Chorus drops those records."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.template import Context, Template

from chorus.core.logfilters import DropTemplateContext


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
