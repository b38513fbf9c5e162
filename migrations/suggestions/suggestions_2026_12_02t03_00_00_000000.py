from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the board, its state counts and the unrated sweep read through indexes"


class Case(Table, tablename="case"):
    pass


# Each index matches a list's WHERE and ORDER BY, so a page reads its rows through the index
# instead of scanning and sorting every row of the table (tests/http/test_indexes.py).
INDEXES = (
    ("case_community_public_filed", "case", "community, is_public, filed_at"),
    ("case_community_status", "case", "community, status"),
    ("case_status_feedback", "case", "status, feedback_at"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="suggestions", description=DESCRIPTION)

    async def create():
        for name, table, columns in INDEXES:
            await Case.raw(f'CREATE INDEX {name} ON "{table}" ({columns})')

    async def drop():
        for name, _table, _columns in INDEXES:
            await Case.raw(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
