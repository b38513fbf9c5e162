from civic.indexes import index_migration

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a street's wish figures and my wishes read through indexes"


# Each index matches a page's WHERE (and ORDER BY), so it reads its rows through the index
# instead of every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "wish_community_published": '"wish" (community, published_at)',
    "wish_posted_by": '"wish" (posted_by)',
}


async def forwards():
    return index_migration(ID, "wishes", DESCRIPTION, INDEXES)
