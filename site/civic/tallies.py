"""The counts the workflow engine keeps as records move (civic/workflow.py), so that figures
read a few rows per community, not every record of the years.

Under a workflow (its table's name) and a scope (a community) each name holds three numbers:
- a state (`claimed`): the records in it now, and for a timed state how many of them have
  their days summed and that sum (days from an earlier stamp to entering the state);
- a move between two states (`submitted>published`, or `>submitted` for a new record): how
  many times it was made.

A move adds to them in its own transaction, in one statement that cannot lose a count under
a race on SQLite or PostgreSQL (INSERT … ON CONFLICT DO UPDATE adding to the row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from piccolo.columns.combination import Combinable

from civic.web.tables import Tally


@dataclass(frozen=True)
class Tallied:
    """What one name holds in one scope."""

    n: int = 0
    timed: int = 0
    days: float = 0.0


class Change(NamedTuple):
    name: str
    n: int
    timed: int = 0
    days: float = 0.0


def flow(source: str, target: str) -> str:
    """The name a move from `source` into `target` is counted under ("" for a new record)."""
    return f"{source}>{target}"


_ROW = "({}, {}, {}, {}, {}, {})"
_ADD = (
    "INSERT INTO tally (subject, scope, name, n, timed, days) VALUES {rows}"
    " ON CONFLICT (subject, scope, name) DO UPDATE SET n = tally.n + excluded.n,"
    " timed = tally.timed + excluded.timed, days = tally.days + excluded.days"
)


async def add(subject: str, scope: int, changes: Iterable[Change]) -> None:
    """Adds each change to its name's numbers, in one statement."""
    # In the order of their names: two moves in one community lock its rows in the same
    # order, so on PostgreSQL neither ever waits for a row the other waits to give up.
    rows = sorted(changes)
    if not rows:
        return
    args: list[object] = []
    for c in rows:
        args += [subject, scope, c.name, c.n, c.timed, float(c.days)]
    await Tally.raw(_ADD.replace("{rows}", ", ".join([_ROW] * len(rows))), *args)


async def read(subject: str, scope: Combinable | None = None) -> dict[int, dict[str, Tallied]]:
    """Every name's numbers per scope (of the scopes `scope` keeps, a condition on
    `Tally.scope`, or of all)."""
    query = Tally.select(Tally.scope, Tally.name, Tally.n, Tally.timed, Tally.days).where(
        Tally.subject == subject
    )
    if scope is not None:
        query = query.where(scope)
    found: dict[int, dict[str, Tallied]] = {}
    for r in await query:
        found.setdefault(r["scope"], {})[r["name"]] = Tallied(r["n"], r["timed"], r["days"])
    return found


async def replace(subject: str, counted: dict[int, dict[str, Tallied]]) -> None:
    """Sets the workflow's numbers to `counted` (a recount), in the caller's transaction."""
    await Tally.delete().where(Tally.subject == subject)
    rows = [
        Tally(subject=subject, scope=scope, name=name, n=t.n, timed=t.timed, days=t.days)
        for scope, names in counted.items()
        for name, t in names.items()
    ]
    if rows:
        await Tally.insert(*rows)
