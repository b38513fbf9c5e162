from civic.indexes import index_migration

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the wish tree and the expired-claim sweep read through indexes"


# Each index matches a list's WHERE and ORDER BY, so a page reads its rows through the index
# instead of scanning and sorting every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "wish_community_status_id": '"wish" (community, status, id)',
    "wish_status_deadline": '"wish" (status, claim_deadline)',
}


async def forwards():
    return index_migration(ID, "wishes", DESCRIPTION, INDEXES)
