"""Moving the test database to a migration and back, for the tests of data migrations."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target: tuple[str, str]) -> Any:
    """Migrate to ``target`` (forwards or backwards); the historical models as they are there
    (an app registry typed Any: its models are not the current classes the type checker knows)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps
