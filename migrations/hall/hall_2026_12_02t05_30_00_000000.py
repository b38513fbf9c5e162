from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the reported posts waiting for a moderator have an index of their own"


class Post(Table, tablename="post"):
    pass


# Partial: only the posts waiting for a moderator, few whatever the years of posts. The hall
# queue's query repeats this WHERE word for word (civic.hall.queries.WAITING_REPORTS), so that
# the planner may read it (tests/http/test_query_plans.py).
CREATE = (
    'CREATE INDEX post_waiting_reports ON "post" (id) '
    'WHERE "reports" > 0 AND "hidden_at" IS NULL'
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hall", description=DESCRIPTION)

    async def create():
        await Post.raw(CREATE)

    async def drop():
        await Post.raw("DROP INDEX post_waiting_reports")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
