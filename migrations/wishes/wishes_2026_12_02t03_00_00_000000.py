from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the wish tree and the expired-claim sweep read through indexes"


class Wish(Table, tablename="wish"):
    pass


# Each index matches a list's WHERE and ORDER BY, so a page reads its rows through the index
# instead of scanning and sorting every row of the table (tests/http/test_indexes.py).
INDEXES = (
    ("wish_community_status_id", "wish", "community, status, id"),
    ("wish_status_deadline", "wish", "status, claim_deadline"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="wishes", description=DESCRIPTION)

    async def create():
        for name, table, columns in INDEXES:
            await Wish.raw(f'CREATE INDEX {name} ON "{table}" ({columns})')

    async def drop():
        for name, _table, _columns in INDEXES:
            await Wish.raw(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
