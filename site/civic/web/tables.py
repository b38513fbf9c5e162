from piccolo.columns import BigInt, Bytea, DoublePrecision, Serial, Timestamptz, Varchar
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


class Tally(Table):
    """What the workflow engine counts as records move (civic/workflow.py), per workflow and
    scope (a community): how many records are in each state now, how many moves went from one
    state to another, and for a timed state the days its records took to reach it. Figures
    read a few of these rows, however many years of records lie behind them."""

    id: Serial
    subject = Varchar(length=40)  # the workflow's table
    scope = BigInt()
    name = Varchar(length=80)  # a state ("claimed") or a move between two ("submitted>published")
    n = BigInt(default=0)
    timed = BigInt(default=0)  # of the records counted in `n`, those whose days are in `days`
    days = DoublePrecision(default=0.0)
