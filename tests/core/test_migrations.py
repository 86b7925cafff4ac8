"""PostgreSQL keeps no pattern-matching index on spent proofs (core migration 0003)."""

import pytest
from django.db import connection

from tests.migrate import migrate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's"),
]


def indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'core_spentproof'"
        )
        return dict(cursor.fetchall())


def test_spent_proofs_keep_only_the_indexes_they_use() -> None:
    defs = indexes().values()
    assert any("UNIQUE" in d and "(digest)" in d for d in defs)  # the primary key
    assert any("(expires_at)" in d for d in defs)  # expired proofs are purged by it
    assert not any("varchar_pattern_ops" in d for d in defs)


def test_the_pattern_index_comes_back_when_the_migration_is_reversed() -> None:
    try:
        migrate(("core", "0002_audit"))
        assert any("varchar_pattern_ops" in d for d in indexes().values())
    finally:
        migrate(("core", "0003_spentproof_without_like_index"))
    assert not any("varchar_pattern_ops" in d for d in indexes().values())
