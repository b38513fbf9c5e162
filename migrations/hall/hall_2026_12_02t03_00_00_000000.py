from civic.indexes import index_migration

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the hall's topic list and a topic's posts read through indexes"


# Each index matches a list's WHERE and ORDER BY, so a page reads its rows through the index
# instead of scanning and sorting every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "topic_community_status_published": '"topic" (community, status, published_at, id)',
    "post_topic_parent_id": '"post" (topic, parent, id)',
}


async def forwards():
    return index_migration(ID, "hall", DESCRIPTION, INDEXES)
