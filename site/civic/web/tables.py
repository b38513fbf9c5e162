from piccolo.columns import BigInt, Bytea, Serial, Timestamptz, Varchar
from piccolo.table import Table


class StoreEntry(Table):
    """Sessions, throttling counters and other short-lived entries, shared by every worker (see
    web/stores.py). A counter (web/counters.py) keeps its number in `counter` so that one SQL
    statement can add to it on SQLite and PostgreSQL alike, without casting bytes."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker
    key = Varchar(length=300, unique=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)
    counter = BigInt(default=0)
