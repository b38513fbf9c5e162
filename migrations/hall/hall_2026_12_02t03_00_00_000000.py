from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the hall's topic list and a topic's posts read through indexes"


class Topic(Table, tablename="topic"):
    pass


# Each index matches a list's WHERE and ORDER BY, so a page reads its rows through the index
# instead of scanning and sorting every row of the table (tests/http/test_indexes.py).
INDEXES = (
    ("topic_community_status_published", "topic", "community, status, published_at, id"),
    ("post_topic_parent_id", "post", "topic, parent, id"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hall", description=DESCRIPTION)

    async def create():
        for name, table, columns in INDEXES:
            await Topic.raw(f'CREATE INDEX {name} ON "{table}" ({columns})')

    async def drop():
        for name, _table, _columns in INDEXES:
            await Topic.raw(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
