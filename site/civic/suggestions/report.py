"""月报告 (seed 000) and 向群众汇报 (seed 004): a month of cases for a community or a street.

Definitions, also printed under the figures:
- the month's cases are those filed in that calendar month, Beijing time;
- a first response is on time when it came (受理, a reply or 吹哨) before its deadline; cases
  whose deadline has not passed and that have no response yet are not counted either way;
- feedback is on time when every answer came before its deadline (an answer after 不满意
  has a new deadline), counted the same way; rejected and merged cases have no feedback clock;
- satisfaction is (满意 + 基本满意) ÷ rated cases;
- the oldest open cases are those still open today, whatever month they were filed in."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from piccolo.columns.combination import Combinable
from piccolo.query import Select

from civic.errors import DomainError
from civic.prepared import Prepared
from civic.suggestions.queries import LIST_COLUMNS, CaseRow, case_row
from civic.suggestions.tables import Case
from civic.suggestions.workflow import LEVEL_LABELS, OPEN, RATING_LABELS, STATUS_LABELS, L, S, Verb
from civic.web.clock import LOCAL_TZ
from civic.web.i18n import _

OLDEST = 5
EARLIEST = date(2020, 1, 1)
"""No report is for a month before this: the site holds nothing older, and far enough back a
month's first day in Beijing falls before the first year UTC can count."""


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    following = (
        datetime(month.year + 1, 1, 1, tzinfo=LOCAL_TZ)
        if month.month == 12
        else datetime(month.year, month.month + 1, 1, tzinfo=LOCAL_TZ)
    )
    return start.astimezone(UTC), following.astimezone(UTC)


def parse_month(typed: str, now: datetime) -> date:
    """ "2026-10" (full-width digits too) -> 1 October 2026; "" -> last month, the last one
    complete (this month's report is still counting: it opens one tap away). Anything else,
    a month to come or one before EARLIEST, is refused with a 400 page saying what to choose."""
    today = now.astimezone(LOCAL_TZ)
    this_month = date(today.year, today.month, 1)
    typed = unicodedata.normalize("NFKC", typed).strip()
    if not typed:
        return max(EARLIEST, (this_month - timedelta(days=1)).replace(day=1))
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", typed)
    if found and 1 <= int(found[2]) <= 12:
        month = date(int(found[1]), int(found[2]), 1)
        if EARLIEST <= month <= this_month:
            return month
    raise DomainError(
        _("没有这个月的报告。请选 {first:%Y-%m} 到 {last:%Y-%m} 之间的月份。").format(
            first=EARLIEST, last=this_month
        )
    )


def recent_months(now: datetime, count: int = 3) -> list[date]:
    today = now.astimezone(LOCAL_TZ)
    months, year, month = [], today.year, today.month
    for _month in range(count):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


@dataclass
class Rates:
    on_time: int = 0
    counted: int = 0

    @property
    def shown(self) -> str:
        return _rate(self.on_time, self.counted)


@dataclass
class Figures:
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    response: Rates = field(default_factory=Rates)
    feedback: Rates = field(default_factory=Rates)
    ratings: dict[str, int] = field(default_factory=dict)
    reopened: int = 0
    adopted: int = 0

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction(self) -> str:
        pleased = self.ratings.get("满意", 0) + self.ratings.get("基本满意", 0)
        return _rate(pleased, self.rated)


class Reader(StrEnum):
    """Who a report is for, which decides what it shows of each case."""

    PUBLIC = "public"  # posted up: figures, and codes of public cases only
    COMMUNITY = "community"  # the community's staff: every case, its filer and words
    STREET = "street"  # the street's officials: filer and words of cases the street has held


@dataclass(frozen=True)
class OpenCase:
    """One of the oldest open cases, as the report's reader may see it."""

    code: str  # as printed, or "" when the reader may not know it
    link: str  # the case's page, for staff; "" otherwise
    category: str
    age: str
    holder: str
    words: str  # "filer: what they wrote", when the reader may see it


@dataclass
class Report:
    scope: str
    month: date
    reader: Reader
    figures: Figures
    escalations: list[tuple[str, int]]
    per_community: list[tuple[str, Figures]]
    oldest_open: list[OpenCase]

    @property
    def for_staff(self) -> bool:
        return self.reader is not Reader.PUBLIC


def open_case(row: dict, case: CaseRow, reader: Reader, now: datetime) -> OpenCase:
    """The one place that decides what a report shows of a case: a public report never shows
    a private case's code (with it, four phone digits would let a stranger act as the filer),
    and a street official sees the words only of cases the street has held."""
    staff = reader is not Reader.PUBLIC
    sees_words = reader is Reader.COMMUNITY or (
        reader is Reader.STREET and row["escalated_at"] is not None
    )
    known = staff or row["is_public"]
    return OpenCase(
        code=case.shown_code if known else "",
        link=f"/s/{case.code}" if staff else "",
        category=case.category,
        age=case.age(now),
        holder=f"{case.holder} · {case.label}",
        words=f"{row['filer_name'] or _('未留姓名')}：{case.snippet}" if sees_words else "",
    )


# The month's figures counted by the database, one row per community, category, state and
# rating, whatever the number of cases: SUM(CASE ...) rather than reading every case into
# Python. The same SQL on SQLite (booleans as 0/1, times as comparable UTC text) and
# PostgreSQL. The cases come through case_community_filed (community, filed_at).
_FIGURES_SQL = """
SELECT m.name AS community_name, c.category AS category, c.status AS status,
       c.rating AS rating, COUNT(*) AS n,
       SUM(CASE WHEN c.responded_at IS NOT NULL OR c.respond_by < {now}
                THEN 1 ELSE 0 END) AS response_counted,
       SUM(CASE WHEN c.responded_at IS NOT NULL AND c.responded_at <= c.respond_by
                THEN 1 ELSE 0 END) AS response_on_time,
       SUM(CASE WHEN c.status NOT IN ({rejected}, {merged})
                 AND (c.feedback_at IS NOT NULL OR c.resolve_by < {now})
                THEN 1 ELSE 0 END) AS feedback_counted,
       SUM(CASE WHEN c.status NOT IN ({rejected}, {merged})
                 AND c.feedback_at IS NOT NULL AND NOT c.answered_late
                THEN 1 ELSE 0 END) AS feedback_on_time,
       SUM(CASE WHEN c.reopened THEN 1 ELSE 0 END) AS reopened,
       SUM(CASE WHEN c.adopted_at IS NOT NULL THEN 1 ELSE 0 END) AS adopted
FROM "case" c JOIN community m ON m.id = c.community
WHERE {scope} AND c.filed_at >= {start} AND c.filed_at < {end}
GROUP BY m.name, c.category, c.status, c.rating
"""

# Where the month's cases were escalated to, counted by the database: from the month's cases
# (through the same index) to their escalation events (through case_event_case).
_ESCALATIONS_SQL = """
SELECT e.level AS level, d.name AS department, COUNT(*) AS n
FROM "case" c JOIN community m ON m.id = c.community
JOIN case_event e ON e."case" = c.id
LEFT JOIN department d ON d.id = e.department
WHERE {scope} AND e.verb = {verb} AND c.filed_at >= {start} AND c.filed_at < {end}
GROUP BY e.level, d.name
"""


def _bound(template: str, scope: str, **values: object) -> tuple[str, list[object]]:
    """The template with `{scope}` put in, then each `{name}` as Piccolo's positional
    placeholder, with the values in the order they appear (a name may appear twice)."""
    sql = template.replace("{scope}", scope)
    args = [values[name] for name in re.findall(r"\{(\w+)\}", sql)]
    return re.sub(r"\{\w+\}", "{}", sql), args


def figures_of(groups: list[dict]) -> Figures:
    """The figures of the counted groups (rows of _FIGURES_SQL) given."""
    f = Figures(total=sum(g["n"] for g in groups))
    categories: Counter[str] = Counter()
    states: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    for g in groups:
        categories[g["category"]] += g["n"]
        states[g["status"]] += g["n"]
        if g["rating"]:
            ratings[g["rating"]] += g["n"]
        f.response.counted += g["response_counted"]
        f.response.on_time += g["response_on_time"]
        f.feedback.counted += g["feedback_counted"]
        f.feedback.on_time += g["feedback_on_time"]
        f.reopened += g["reopened"]
        f.adopted += g["adopted"]
    f.by_category = {c.value: categories[c.value] for c in Case.Category if categories[c.value]}
    f.by_state = {STATUS_LABELS[s]: states[s.value] for s in S if states[s.value]}
    f.ratings = {label: ratings[k.value] for k, label in RATING_LABELS.items()}
    return f


def _open_cases(where: Combinable) -> Select:
    # Every open case, sorted here: read through the (community, status) index, they are as
    # few as the desks' queues, whatever the years of closed ones. Asked in filed order with a
    # LIMIT, SQLite walks the filed_at index through all those years to find them.
    return Case.select(*LIST_COLUMNS, Case.is_public, Case.escalated_at).where(
        where & Case.status.is_in(list(OPEN))
    )


# Built once (civic/prepared.py): the report is read by the public and printed by staff.
_OPEN_IN_COMMUNITY = Prepared(lambda place: _open_cases(Case.community == place), place=int)
_OPEN_IN_STREET = Prepared(lambda place: _open_cases(Case.community.street == place), place=int)


async def build(
    month: date,
    now: datetime,
    *,
    community_id: int | None = None,
    street_id: int | None = None,
    scope: str = "",
    reader: Reader = Reader.PUBLIC,
) -> Report:
    """One community's or one street's month, in three queries whatever the number of cases."""
    start, end = month_bounds(month)
    within = "c.community = {place}" if community_id else "m.street = {place}"
    bounds = {"place": community_id or street_id, "start": start, "end": end}
    sql, args = _bound(
        _FIGURES_SQL, within, now=now, rejected=S.REJECTED.value, merged=S.MERGED.value, **bounds
    )
    groups = await Case.raw(sql, *args)
    sql, args = _bound(_ESCALATIONS_SQL, within, verb=Verb.ESCALATE.value, **bounds)
    escalations = await Case.raw(sql, *args)
    if community_id:
        still_open = await _OPEN_IN_COMMUNITY(place=community_id)
    else:
        still_open = await _OPEN_IN_STREET(place=street_id)
    oldest = sorted(still_open, key=lambda r: (r["filed_at"], r["code"]))[:OLDEST]
    where_to: Counter[str] = Counter()
    for e in escalations:
        where_to[e["department"] if e["level"] == L.DEPARTMENT else LEVEL_LABELS[L.STREET]] += e[
            "n"
        ]
    by_community: dict[str, list[dict]] = {}
    for g in groups:
        by_community.setdefault(g["community_name"], []).append(g)
    return Report(
        scope=scope,
        month=month,
        reader=reader,
        figures=figures_of(groups),
        escalations=sorted(where_to.items(), key=lambda item: -item[1]),
        per_community=[
            (name, figures_of(community_groups))
            for name, community_groups in sorted(by_community.items())
        ]
        if street_id
        else [],
        oldest_open=[open_case(r, case_row(r, now), reader, now) for r in oldest],
    )
