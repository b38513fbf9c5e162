from civic.indexes import index_migration

ID = "2026-12-03T14:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one tally row per workflow, community and name"

# What a move adds to is found, and made when missing, by this (civic/tallies.py: ON CONFLICT).
INDEXES = {"tally_name": '"tally" (subject, scope, name)'}


async def forwards():
    return index_migration(ID, "web", DESCRIPTION, INDEXES, unique=True)
