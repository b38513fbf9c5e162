from civic.indexes import index_migration

ID = "2026-12-02T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the reported posts waiting for a moderator have an index of their own"


# Partial: only the posts waiting for a moderator, few whatever the years of posts. The hall
# queue's query repeats this WHERE word for word (civic.hall.queries.WAITING_REPORTS), so that
# the planner may read it (tests/http/test_query_plans.py).
INDEXES = {
    "post_waiting_reports": '"post" (id) WHERE "reports" > 0 AND "hidden_at" IS NULL',
}


async def forwards():
    return index_migration(ID, "hall", DESCRIPTION, INDEXES)
