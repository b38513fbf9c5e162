from civic.indexes import index_migration

ID = "2026-12-02T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "wish figures counted from indexes alone"


# Covering indexes: the figures' GROUP BY queries read them instead of the tables' rows.
INDEXES = {
    # The days from publication to confirmation, per community, without reading the rows.
    "wish_status_community_times": '"wish" (status, community, published_at, confirmed_at)',
    # Each helper's claims and fulfilments, per wish, without reading the events.
    "wish_event_wish_status_actor": '"wish_event" (wish, to_status, actor)',
}


async def forwards():
    return index_migration(ID, "wishes", DESCRIPTION, INDEXES)
