from civic.indexes import index_migration

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the board, its state counts and the unrated sweep read through indexes"


# Each index matches a list's WHERE and ORDER BY, so a page reads its rows through the index
# instead of scanning and sorting every row of the table (tests/http/test_query_plans.py).
INDEXES = {
    "case_community_public_filed": '"case" (community, is_public, filed_at)',
    "case_community_status": '"case" (community, status)',
    "case_status_feedback": '"case" (status, feedback_at)',
}


async def forwards():
    return index_migration(ID, "suggestions", DESCRIPTION, INDEXES)
