"""The one state-machine engine every workflow of the site uses: wishes, cases, helper reports,
and the hall's topics, sign-ups and redemptions to come.

A feature declares its workflow as data — its states (label, broad group, the timestamp a
state sets), its moves (from which states, to which, who may, whether a note is needed) and
its deadlines — and gets from it:
- `allowed()` / `available()`: what a person standing in these parties may do now, asked by
  services and by templates deciding which buttons to show; a move's `primary` flag says
  which of them to offer first, and its `confirm` text that it is asked once more;
- `apply()`: the one write of a move. The UPDATE is guarded by the row's version, not only by
  its state, so a step that keeps the state (a reply, a hand-back) still counts as a change:
  a double tap is recorded once, and an actor holding a stale row (a claimer whose claim was
  revoked and re-made by someone else since) loses even when the state reads the same;
- `sweep()`: every declared deadline that has passed, applied by the clock;
- `create()`: a new record in its first state, with the event that says so;
- for a workflow counted by a scope (`tally_by`, a community): the counts of civic/tallies.py,
  kept by `create()` and `apply()` in the move's own transaction and read by `tallies()`, so
  that figures cost a few rows whatever the years. `counted()` counts the same from the
  records and their events, and `recount()` sets the tallies to that, after rows were written
  around the engine (data brought in by hand).

The engine knows no feature: parties are whatever hashable values the feature uses (a StrEnum
of how a person stands to the record), and the feature's service decides which parties a
viewer holds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.table import Table

from civic import tallies
from civic.db import days_between, write_transaction
from civic.errors import DomainError, InvalidTransition, NotAllowed
from civic.tallies import Change, Tallied, flow
from civic.web.i18n import _

St = TypeVar("St", bound=StrEnum)


class Group(StrEnum):
    """Broad groups of states, for lists and counts: what still needs someone, what is done."""

    OPEN = "open"  # staff or a helper still has to act; a clock may run
    WAITING = "waiting"  # waits for the person it serves: a rating, a confirmation
    DONE = "done"  # finished as intended
    CLOSED = "closed"  # finished otherwise: refused, withdrawn, merged
    HIDDEN = "hidden"  # not shown to the public


@dataclass(frozen=True)
class State(Generic[St]):
    value: St
    label: str
    group: Group
    stamp: Column | None = None
    """The timestamp column set when a record enters this state."""
    since: Column | None = None
    """For a counted workflow: an earlier timestamp from which the days to reach this state are
    summed over the records in it (publication to confirmation)."""


@dataclass(frozen=True)
class Move(Generic[St]):
    name: str
    sources: frozenset[St]
    target: St | None
    """None: the state stays (a reply); the version still moves on."""
    parties: frozenset[Any]
    label: str = ""
    needs_note: bool = False
    primary: bool = False
    """The step that carries the record on from its sources: pages offer it first, and the
    other moves available (side steps, refusals) behind "更多操作"."""
    confirm: str = ""
    """What this move loses, said in plain words to the person about to make it. A move that
    declares it is asked once more: its button leads to a page that says this and holds the
    form that makes the move."""


def move(
    name: str,
    sources: Iterable[St],
    target: St | None,
    parties: Iterable[Any],
    label: str = "",
    *,
    needs_note: bool = False,
    primary: bool = False,
    confirm: str = "",
) -> Move[St]:
    return Move(
        name,
        frozenset(sources),
        target,
        frozenset(parties),
        label,
        needs_note,
        primary,
        confirm,
    )


@dataclass(frozen=True)
class Deadline:
    """A clock on a state: when `passed(now, context)` holds for a record in `state`, the sweep
    applies `move` to it with `changes`, as the party `by` (the clock)."""

    move: str
    state: StrEnum
    passed: Callable[[datetime, Any], Combinable]
    note: str = ""
    changes: Mapping[Column, Any] = field(default_factory=dict)


COUNTED: list[Workflow[Any]] = []
"""Every workflow counted by a scope, as each is declared."""

Notify = Callable[[Mapping[str, Any], "Move[Any]", int | None, str, datetime], Awaitable[None]]
"""Called inside a move's transaction with the row as it was read, the move, the actor, the note
and the time: the feature tells whoever waits for this (civic.messages), atomically with it."""


class Workflow(Generic[St]):
    """A table's states and moves, and the event table its history is written to.

    `table` needs `id`, `status` and `version` columns; `events` needs the subject's foreign
    key (named `subject`), `actor`, `verb`, `from_status`, `to_status`, `note` and `at`."""

    def __init__(
        self,
        *,
        table: type[Table],
        events: type[Table],
        subject: str,
        states: Iterable[State[St]],
        moves: Iterable[Move[St]],
        deadlines: Iterable[Deadline] = (),
        lost: str = "",
        notify: Notify | None = None,
        tally_by: Column | None = None,
    ) -> None:
        self.table = table
        self.tally_by = tally_by
        self.events = events
        self.subject = subject
        self.states: dict[St, State[St]] = {s.value: s for s in states}
        self.moves: dict[str, Move[St]] = {m.name: m for m in moves}
        self.deadlines = tuple(deadlines)
        self.lost = lost or _("刚刚有人处理过，请刷新后再看。")
        self.notify = notify
        for m in self.moves.values():
            unknown = {*m.sources, m.target} - {*self.states, None}
            if unknown:
                raise ValueError(f"move {m.name} names unknown states {unknown}")
        for d in self.deadlines:
            if d.move not in self.moves:
                raise ValueError(f"deadline names unknown move {d.move}")
        if tally_by is not None:
            # The counts are filed under the table's name: a second would add to the first's.
            if any(w.name == self.name for w in COUNTED):
                raise ValueError(f"{self.name} is counted already")
            COUNTED.append(self)

    # Reading the declaration ---------------------------------------------------------------

    def label(self, state: St | str) -> str:
        found = self.states.get(state)  # type: ignore[arg-type]  # a StrEnum is found by its str
        return found.label if found else str(state)

    def labels(self) -> dict[str, str]:
        # Keyed by the StrEnum, which is its value: a plain string from a row finds it too.
        return {value: s.label for value, s in self.states.items()}

    def group(self, *groups: Group) -> tuple[St, ...]:
        """The states of these broad groups, in the order they were declared."""
        return tuple(v for v, s in self.states.items() if s.group in groups)

    def allowed(self, name: str, current: St | str, parties: Iterable[Any]) -> bool:
        """May someone standing in `parties` make the move `name` from `current`?"""
        m = self.moves.get(name)
        return m is not None and current in m.sources and bool(m.parties & set(parties))

    def available(self, current: St | str, parties: Iterable[Any]) -> list[Move[St]]:
        """The moves these parties may make now, in the order they were declared."""
        held = set(parties)
        return [m for m in self.moves.values() if current in m.sources and m.parties & held]

    def toward(self, current: St | str, target: St, parties: Iterable[Any]) -> Move[St] | None:
        """The move these parties may make from `current` into `target`, if any."""
        return next((m for m in self.available(current, parties) if m.target == target), None)

    def check(
        self, name: str, current: St | str, parties: Iterable[Any], note: str = ""
    ) -> Move[St]:
        """The move, when these parties may make it now; the domain error saying why not."""
        m = self.moves[name]
        if not m.parties & set(parties):
            raise NotAllowed(_("您现在不能这样处理。"))
        if current not in m.sources:
            raise InvalidTransition(
                _("现在是“{state}”，不能再这样处理。").format(state=self.label(current))
            )
        if m.needs_note and not note.strip():
            raise DomainError(_("请写明原因或说明，对方会看到。"))
        return m

    @property
    def name(self) -> str:
        """What the workflow's tallies are filed under: its table's name."""
        return self.table._meta.tablename

    # Writing -------------------------------------------------------------------------------

    async def _record(
        self,
        subject_id: int,
        actor_id: int | None,
        verb: str,
        source: str,
        target: str,
        note: str,
        now: datetime,
        event: Mapping[str, Any] | None,
    ) -> None:
        """The event row of a move (or of a new record: `source` empty)."""
        values = {
            self.subject: subject_id,
            "actor": actor_id,
            "verb": verb,
            "from_status": source,
            "to_status": target,
            "note": note,
            "at": now,
            **(event or {}),
        }
        await self.events.insert(self.events(**values))

    async def _count(
        self,
        row: Mapping[str, Any],
        written: Mapping[str, Any],
        source: str,
        target: str,
        now: datetime,
    ) -> None:
        """For a counted workflow: a record (`row` as read, `written` with its scope) left
        `source` ("" for a new one) for `target`."""
        if self.tally_by is None:
            return
        changes = [Change(flow(source, target), 1), self._timed(row, target, 1, now)]
        if source:
            changes.append(self._timed(row, source, -1, now))
        await tallies.add(self.name, written[self.tally_by._meta.name], changes)

    def _timed(self, row: Mapping[str, Any], state: str, sign: int, now: datetime) -> Change:
        """A record entering `state` now (+1) or leaving it (-1), with the days it took to
        reach it when the state is timed (for one leaving, from the row as read)."""
        declared = self.states.get(state)  # type: ignore[call-overload]  # a str finds a StrEnum
        if declared is None or declared.since is None or declared.stamp is None:
            return Change(state, sign)
        since, stamp = declared.since._meta.name, declared.stamp._meta.name
        needed = [since, stamp] if sign < 0 else [since]
        if missing := [name for name in needed if name not in row]:
            raise ValueError(f"a move into or out of {state} needs the row's {missing}")
        start, reached = row[since], now if sign > 0 else row[stamp]
        if start is None or reached is None:
            return Change(state, sign)
        return Change(state, sign, sign, sign * (reached - start).total_seconds() / 86400)

    async def create(
        self,
        record: Table,
        *,
        actor_id: int | None,
        now: datetime,
        verb: str,
        event: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Insert a new record in its first state, with the event that says so (and, for a
        counted workflow, its count), in one transaction: the caller's when there is one.
        Returns the row as written."""
        t = self.table
        async with write_transaction(t._meta.db):
            row = (await t.insert(record).returning(*t.all_columns()))[0]
            status = str(row["status"])
            await self._record(row["id"], actor_id, verb, "", status, "", now, event)
            await self._count(row, row, "", status, now)
        return row

    async def apply(
        self,
        row: Mapping[str, Any],
        name: str,
        *,
        actor_id: int | None,
        now: datetime,
        note: str = "",
        changes: Mapping[Column, Any] | None = None,
        event: Mapping[str, Any] | None = None,
    ) -> int:
        """Make the move `name` on `row` (as it was read, with its `version`): one UPDATE that
        only succeeds while the row is still at that version, then the event row, in one
        transaction. Raises InvalidTransition when someone else changed the row first.
        Who may make the move is the caller's check (`check()`): this is the write.
        Returns the row's new version."""
        m = self.moves[name]
        t = self.table
        current = row["status"]
        version = row["version"] + 1
        values: dict[Column | str, Any] = dict((changes or {}).items())
        values[t.version] = version  # type: ignore[attr-defined]
        if m.target is not None:
            values[t.status] = m.target  # type: ignore[attr-defined]
            stamp = self.states[m.target].stamp
            if stamp is not None:
                values[stamp] = now
        scope = () if self.tally_by is None else (self.tally_by,)  # a counted record's community
        async with write_transaction(t._meta.db):
            moved = (
                await t.update(values)
                .where((t.id == row["id"]) & (t.version == row["version"]))  # type: ignore[attr-defined]
                .returning(t.id, *scope)  # type: ignore[attr-defined]
            )
            if not moved:
                raise InvalidTransition(self.lost)
            target = str(m.target or current)
            await self._record(row["id"], actor_id, m.name, current, target, note, now, event)
            if target != current:
                await self._count(row, moved[0], str(current), target, now)
            if self.notify is not None:
                await self.notify(row, m, actor_id, note, now)
        return version

    # Counting ------------------------------------------------------------------------------

    async def tallies(self, scope: Combinable | None = None) -> dict[int, dict[str, Tallied]]:
        """The counts kept per scope (of those `scope`, a condition on `Tally.scope`, keeps)."""
        return await tallies.read(self.name, scope)

    async def counted(self) -> dict[int, dict[str, Tallied]]:
        """The same counts as `tallies()`, counted from the records and their events."""
        if self.tally_by is None:
            raise ValueError(f"{self.name} is not counted by a scope")
        table, events, scope = self.name, self.events._meta.tablename, self.tally_by._meta.name
        found: dict[int, dict[str, Tallied]] = {}
        for r in await self.table.raw(
            f'SELECT "{scope}" AS scope, status, COUNT(*) AS n'  # noqa: S608 (declared names)
            f' FROM "{table}" GROUP BY "{scope}", status'
        ):
            found.setdefault(r["scope"], {})[r["status"]] = Tallied(r["n"])
        for r in await self.table.raw(
            f'SELECT t."{scope}" AS scope, e.from_status, e.to_status, COUNT(*) AS n'  # noqa: S608
            f' FROM "{events}" e JOIN "{table}" t ON t.id = e."{self.subject}"'
            f' WHERE e.from_status <> e.to_status GROUP BY t."{scope}", e.from_status, e.to_status'
        ):
            name = flow(r["from_status"], r["to_status"])
            found.setdefault(r["scope"], {})[name] = Tallied(r["n"])
        for state in self.states.values():
            if state.since is None or state.stamp is None:
                continue
            stamp, since = state.stamp._meta.name, state.since._meta.name
            days = days_between(self.table._meta.db, since, stamp)
            for r in await self.table.raw(
                f'SELECT "{scope}" AS scope, COUNT(*) AS timed, SUM({days}) AS days'  # noqa: S608
                f' FROM "{table}" WHERE status = {{}} AND "{stamp}" IS NOT NULL'
                f' AND "{since}" IS NOT NULL GROUP BY "{scope}"',
                state.value,
            ):
                names = found.setdefault(r["scope"], {})
                held = names.get(state.value, Tallied())
                names[state.value] = Tallied(held.n, r["timed"], float(r["days"]))
        return found

    async def recount(self) -> None:
        """Sets the tallies to what `counted()` finds: after rows were written around the
        engine, as a migration or a bulk import does."""
        async with write_transaction(self.table._meta.db):
            await tallies.replace(self.name, await self.counted())

    async def sweep(
        self, now: datetime, context: Any = None, where: Combinable | None = None
    ) -> int:
        """Apply every deadline that has passed (to the records matching `where`, when given),
        each record in its own transaction; returns how many moved. A record another request
        moved meanwhile is left as that request left it."""
        t = self.table
        done = 0
        for d in self.deadlines:
            # Whole rows: whoever is told of the move needs to know who held the record.
            query = t.select(*t.all_columns()).where(
                (t.status == d.state) & d.passed(now, context)  # type: ignore[attr-defined]
            )
            if where is not None:
                query = query.where(where)
            for row in await query:
                try:
                    await self.apply(
                        row, d.move, actor_id=None, now=now, note=d.note, changes=d.changes
                    )
                except InvalidTransition:
                    continue
                done += 1
        return done
