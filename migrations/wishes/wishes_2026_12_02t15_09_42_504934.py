from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:09:42:504934"
VERSION = "1.38.0"
DESCRIPTION = "each helper's claims and fulfilments, counted as they happen"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="wishes", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Helper",
        tablename="helper",
        column_name="claims",
        db_column_name="claims",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
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
        table_class_name="Helper",
        tablename="helper",
        column_name="fulfilments",
        db_column_name="fulfilments",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
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
