from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a person's messages read newest first through an index"


class Message(Table, tablename="message"):
    pass


# Each index matches a page's WHERE (and ORDER BY), so it reads its rows through the index
# instead of every row of the table (tests/http/test_query_plans.py).
INDEXES = (("message_person_id", "message", "person, id"),)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="messages", description=DESCRIPTION)

    async def create():
        for name, table, columns in INDEXES:
            await Message.raw(f'CREATE INDEX {name} ON "{table}" ({columns})')

    async def drop():
        for name, _table, _columns in INDEXES:
            await Message.raw(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
