from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "my votes and the reported posts read through indexes"


class Vote(Table, tablename="vote"):
    pass


# Each index matches a page's WHERE (and ORDER BY), so it reads its rows through the index
# instead of every row of the table (tests/http/test_query_plans.py).
INDEXES = (
    ("vote_person_id", "vote", "person, id"),
    ("post_reports", "post", "reports"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hall", description=DESCRIPTION)

    async def create():
        for name, table, columns in INDEXES:
            await Vote.raw(f'CREATE INDEX {name} ON "{table}" ({columns})')

    async def drop():
        for name, _table, _columns in INDEXES:
            await Vote.raw(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
