"""PostgreSQL: drop the pattern-matching index Django adds beside a text primary key.

Django gives every indexed ``CharField`` on PostgreSQL a second ``varchar_pattern_ops`` index
for ``LIKE 'prefix%'`` lookups. Nothing ever looks a proof's digest up by prefix, and every voice
paid for keeping that index up to date (decision 0006).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "core_spentproof"


def _pattern_indexes(schema_editor: BaseDatabaseSchemaEditor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexdef LIKE %s",
            [TABLE, "%varchar_pattern_ops%"],
        )
        return [row[0] for row in cursor.fetchall()]


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _pattern_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql" or _pattern_indexes(schema_editor):
        return
    schema_editor.execute(
        f"CREATE INDEX core_spentproof_digest_like ON {TABLE} (digest varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit")]

    operations = [migrations.RunPython(drop, restore)]
