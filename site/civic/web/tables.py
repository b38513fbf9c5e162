from piccolo.columns import Bytea, Timestamptz, Varchar
from piccolo.table import Table


class StoreEntry(Table):
    """Sessions and throttling counters, shared by every worker (see web/stores.py)."""

    key = Varchar(length=300, unique=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)
