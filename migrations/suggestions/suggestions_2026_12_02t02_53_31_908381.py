from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T02:53:31:908381"
VERSION = "1.38.0"
DESCRIPTION = "when the desk was told a case's response or feedback is nearly due"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="suggestions", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Case",
        tablename="case",
        column_name="resolve_warned_at",
        db_column_name="resolve_warned_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Case",
        tablename="case",
        column_name="respond_warned_at",
        db_column_name="respond_warned_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
