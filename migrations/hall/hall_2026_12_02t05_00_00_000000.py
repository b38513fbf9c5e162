from civic.indexes import index_migration

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "my votes and the reported posts read through indexes"


# Each index matches a page's WHERE (and ORDER BY), so it reads its rows through the index
# instead of every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "vote_person_id": '"vote" (person, id)',
    "post_reports": '"post" (reports)',
}


async def forwards():
    return index_migration(ID, "hall", DESCRIPTION, INDEXES)
