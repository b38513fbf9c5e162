from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "each helper's claims and fulfilments counted once from their events"

# Until now the figures counted each helper's events on every view; from now on they are
# counted as they happen (wishes/service.py). A migration's raw steps run before its columns
# are added, so this one follows the migration that adds them.
BACKFILL = """
UPDATE helper SET
    claims = (
        SELECT COUNT(*) FROM wish_event e JOIN wish w ON w.id = e.wish
        WHERE e.actor = helper.person AND w.community = helper.community
        AND e.to_status = 'claimed'
    ),
    fulfilments = (
        SELECT COUNT(*) FROM wish_event e JOIN wish w ON w.id = e.wish
        WHERE e.actor = helper.person AND w.community = helper.community
        AND e.to_status = 'fulfilled'
    )
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="wishes", description=DESCRIPTION)

    async def count_what_was_done() -> None:
        await engine_finder().run_ddl(BACKFILL)

    manager.add_raw(count_what_was_done)
    return manager
