from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "wish figures counted from indexes alone"


class Wish(Table, tablename="wish"):
    pass


# Covering indexes: the figures' GROUP BY queries read them instead of the tables' rows.
INDEXES = (
    # The days from publication to confirmation, per community, without reading the rows.
    ("wish_status_community_times", "wish", "status, community, published_at, confirmed_at"),
    # Each helper's claims and fulfilments, per wish, without reading the events.
    ("wish_event_wish_status_actor", "wish_event", "wish, to_status, actor"),
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
