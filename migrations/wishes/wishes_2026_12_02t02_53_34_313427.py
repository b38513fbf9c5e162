from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T02:53:34:313427"
VERSION = "1.38.0"
DESCRIPTION = "when the claimer was told a claim is about to run out"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="wishes", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Wish",
        tablename="wish",
        column_name="claim_warned_at",
        db_column_name="claim_warned_at",
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
