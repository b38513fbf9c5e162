from civic.indexes import index_migration

ID = "2026-12-03T15:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a topic's threads, newest first, have an index of their own"

# Partial: the top-level posts only, in the order the topic page shows them, so that a page of
# threads is read from the index in order rather than sorted (civic.hall.posts._POSTS; its
# WHERE repeats this one).
INDEXES = {"post_threads": '"post" (topic, id) WHERE "parent" IS NULL'}


async def forwards():
    return index_migration(ID, "hall", DESCRIPTION, INDEXES)
