from civic.indexes import index_migration

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a person's messages read newest first through an index"


# Each index matches a page's WHERE (and ORDER BY), so it reads its rows through the index
# instead of every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "message_person_id": '"message" (person, id)',
}


async def forwards():
    return index_migration(ID, "messages", DESCRIPTION, INDEXES)
