from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T14:16:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the wish figures counted once from the wishes and their events"

# Until now the figures counted every wish on every view; from now on the workflow engine
# counts them as they move (civic/tallies.py). This counts what was there before, the same
# way as civic.workflow's counted() does.
BY_STATE = """
INSERT INTO tally (subject, scope, name, n, timed, days)
SELECT 'wish', community, status, COUNT(*), 0, 0 FROM wish GROUP BY community, status
"""
BY_MOVE = """
INSERT INTO tally (subject, scope, name, n, timed, days)
SELECT 'wish', w.community, e.from_status || '>' || e.to_status, COUNT(*), 0, 0
  FROM wish_event e JOIN wish w ON w.id = e.wish
 WHERE e.from_status <> e.to_status
 GROUP BY w.community, e.from_status, e.to_status
"""
TIMED = """
UPDATE tally SET
    timed = (SELECT COUNT(*) FROM wish w WHERE {confirmed}),
    days = (SELECT COALESCE(SUM({days}), 0) FROM wish w WHERE {confirmed})
 WHERE subject = 'wish' AND name = 'confirmed'
"""
CONFIRMED = (
    "w.community = tally.scope AND w.status = 'confirmed'"
    " AND w.published_at IS NOT NULL AND w.confirmed_at IS NOT NULL"
)
DAYS = {
    "sqlite": "julianday(w.confirmed_at) - julianday(w.published_at)",
    "postgres": "EXTRACT(EPOCH FROM (w.confirmed_at - w.published_at)) / 86400",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="wishes", description=DESCRIPTION)

    async def count_what_is_there() -> None:
        engine = engine_finder()
        days = DAYS["sqlite" if engine.engine_type == "sqlite" else "postgres"]
        for statement in (BY_STATE, BY_MOVE, TIMED.format(confirmed=CONFIRMED, days=days)):
            await engine.run_ddl(statement)

    manager.add_raw(count_what_is_there)
    return manager
