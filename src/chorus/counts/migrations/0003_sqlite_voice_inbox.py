"""SQLite only: ``counts_voice_inbox``, a view that stores nothing, whose INSTEAD OF INSERT
trigger spends the proof and adds the voice to its tallies in one statement (decision 0005).

A replayed proof fails the first INSERT (primary key), which aborts the whole statement, so a
voice is counted exactly when its proof is spent. PostgreSQL does the same with a
data-modifying CTE in ``voice_add`` and needs nothing here.
"""

from typing import Any

from django.db import migrations

CREATE = [
    """
    CREATE VIEW counts_voice_inbox
        (digest, expires_at, period, shard, country, setting, form, sector, decade)
    AS SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0
    """,
    """
    CREATE TRIGGER counts_voice_inbox_add INSTEAD OF INSERT ON counts_voice_inbox
    BEGIN
        INSERT INTO core_spentproof (digest, expires_at) VALUES (NEW.digest, NEW.expires_at);
        INSERT INTO counts_tally (period, facet, code, shard, n) VALUES
            (NEW.period, 'total', '', NEW.shard, 1),
            (NEW.period, 'country', NEW.country, NEW.shard, 1),
            (NEW.period, 'setting', NEW.setting, NEW.shard, 1),
            (NEW.period, 'form', NEW.form, NEW.shard, 1),
            (NEW.period, 'sector', NEW.sector, NEW.shard, 1),
            (NEW.period, 'decade', NEW.decade, NEW.shard, 1)
        ON CONFLICT (period, facet, code, shard) DO UPDATE SET n = n + 1;
    END
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS counts_voice_inbox_add",
    "DROP VIEW IF EXISTS counts_voice_inbox",
]


def _run(statements: list[str]) -> Any:
    def run(_apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("counts", "0002_tallies"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
