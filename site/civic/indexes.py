"""Migrations that only add indexes: one declaration of the statements, the same way forwards
and back, on SQLite and PostgreSQL alike (Piccolo's auto migrations do not write indexes on
several columns)."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def index_migration(
    migration_id: str,
    app_name: str,
    description: str,
    indexes: dict[str, str],
    *,
    unique: bool = False,
) -> MigrationManager:
    """`indexes`: each index's name and what it is on (`'"wish" (community, id)'`, a WHERE for
    a partial one); going back drops them. `unique`: no two rows with the same values."""
    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run(statement: str) -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine is configured (piccolo_conf.py)")
        await engine.run_ddl(statement)

    async def create() -> None:
        for name, target in indexes.items():
            await run(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {target}")

    async def drop() -> None:
        for name in indexes:
            await run(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
