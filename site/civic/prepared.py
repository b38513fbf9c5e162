"""Hot SELECTs built once and run with new values each time.

Piccolo builds a query's SQL again on every run: for a page's few small SELECTs that costs more
CPU than running them. `Prepared` builds the query once, with a marker value standing in for
each parameter, keeps the SQL it compiles to and where the markers went, and from then on only
puts the values in their places. The query is still Piccolo's: the same SQL, the same results
and their conversions, run in the transaction the caller is in. A query that cannot work this
way (a parameter Piccolo writes into the SQL text, or one it converts on the way) is refused at
its first run, loudly, rather than run wrong.

    _BY_SLUG = Prepared(lambda slug: Community.select(...).where(Community.slug == slug).first(),
                        slug=str)
    row = await _BY_SLUG(slug="xinghua")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query.methods.select import First, Select
from piccolo.querystring import QueryString
from piccolo.table import Table

_MARKER_BASE = 2**62


def _marker(kind: type, index: int) -> Any:
    """A value no page would ever ask for, different for each parameter of a query."""
    if kind is str:
        return f"\x00civic-parameter-{index}\x00"
    if kind is int:
        return _MARKER_BASE + index
    if kind is datetime:
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=index)
    raise TypeError(f"a prepared query takes str, int or datetime parameters, not {kind}")


class _Compiled(QueryString):
    """SQL and its arguments as they go to the engine, with nothing left to build."""

    def __init__(self, sql: str, args: list[Any], source: QueryString) -> None:
        super().__init__("", query_type=source.query_type, table=source.table)
        self._ready = (sql, args)

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        return self._ready


@dataclass(frozen=True)
class _Plan:
    query: Select
    first: bool
    source: QueryString
    sql: str
    slots: tuple[tuple[str | None, Any], ...]
    """For each argument, the parameter it takes its value from, or None and the constant."""


class Prepared:
    """A SELECT (or a SELECT's `.first()`) built by `build(**parameters)`; calling it with the
    parameters' values runs it. `parameters` name each one's type: str, int or datetime."""

    def __init__(self, build: Callable[..., Select | First], **parameters: type) -> None:
        self._build = build
        self._parameters = parameters
        self._plans: dict[str, _Plan] = {}
        self._table: type[Table] | None = None

    def _plan(self) -> _Plan:
        markers = {n: _marker(kind, i) for i, (n, kind) in enumerate(self._parameters.items())}
        built = self._build(**markers)
        first = isinstance(built, First)
        query = built.query if isinstance(built, First) else built
        engine_type = query.table._meta.db.engine_type
        (source,) = query.querystrings
        sql, args = source.compile_string(engine_type=engine_type)
        slots: list[tuple[str | None, Any]] = []
        for arg in args:
            name = next((n for n, m in markers.items() if type(arg) is type(m) and arg == m), None)
            slots.append((name, None if name else arg))
        unplaced = set(markers) - {name for name, _ in slots}
        written_in = {name for name, m in markers.items() if str(m) in sql}
        if unplaced or written_in:
            raise TypeError(
                f"parameters that do not reach the SQL as values: {sorted(unplaced | written_in)}"
            )
        self._table = query.table
        plan = self._plans[engine_type] = _Plan(query, first, source, sql, tuple(slots))
        return plan

    def _ready(self, values: dict[str, Any]) -> tuple[_Plan, list[Any]]:
        # The plan is kept per engine type: a test run may point the tables at another engine.
        table = self._table
        plan = self._plans.get(table._meta.db.engine_type) if table else None
        if plan is None:
            plan = self._plan()
        return plan, [values[name] if name else constant for name, constant in plan.slots]

    async def _results(self, plan: _Plan, results: list[Any]) -> Any:
        rows = await plan.query._process_results(results)
        if plan.first:
            return rows[0] if rows else None
        return rows

    async def __call__(self, **values: Any) -> Any:
        plan, args = self._ready(values)
        engine = plan.query.table._meta.db
        return await self._results(
            plan, await engine.run_querystring(_Compiled(plan.sql, args, plan.source))
        )

    async def at_version(self, **values: Any) -> tuple[str | None, Any]:
        """The same rows, and the data version they were read at, in one statement (db.py:
        rows_at_version; what kept.py's first ask of a request uses)."""
        plan, args = self._ready(values)
        engine: Any = plan.query.table._meta.db
        version, results = await engine.rows_at_version(plan.sql, args)
        return version, await self._results(plan, results)
