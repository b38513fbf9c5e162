from civic.indexes import index_migration

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the monthly report and my cases read through indexes"


# Each index matches a page's WHERE (and ORDER BY), so it reads its rows through the index
# instead of every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "case_community_filed": '"case" (community, filed_at)',
    "case_filed_by": '"case" (filed_by, filed_at)',
}


async def forwards():
    return index_migration(ID, "suggestions", DESCRIPTION, INDEXES)
