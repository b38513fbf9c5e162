"""What the suggestion pages show, each in a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from piccolo.query import Select
from piccolo.query.functions.aggregate import Count

from civic.accounts.me import MeItem
from civic.photos import service as photos
from civic.photos.tables import Photo
from civic.prepared import Prepared
from civic.suggestions.tables import Case, CaseEvent, CasePhoto
from civic.suggestions.workflow import (
    INTERNAL,
    LEVEL_LABELS,
    OPEN,
    RATING_LABELS,
    STATUS_LABELS,
    VERB_LABELS,
    L,
    S,
    Verb,
    one_tap,
)
from civic.web import codes
from civic.web.clock import local
from civic.web.privacy import mask_name

SOON = timedelta(hours=3)
"""A clock with less than this left is flagged as due soon."""
BOARD_PAGE = 30


def span(delta: timedelta) -> str:
    """A duration as people say it: 2 天 3 小时, 5 小时 20 分钟, 40 分钟."""
    minutes = max(round(delta.total_seconds() / 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    return f"{minutes} 分钟"


@dataclass(frozen=True)
class Due:
    """The clock that runs on an open case: the first response, then the feedback."""

    what: str
    at: datetime
    now: datetime

    @property
    def overdue(self) -> bool:
        return self.now > self.at

    @property
    def soon(self) -> bool:
        return not self.overdue and self.at - self.now < SOON

    @property
    def text(self) -> str:
        if self.overdue:
            return f"{self.what}已超时 {span(self.now - self.at)}"
        return f"{self.what}还剩 {span(self.at - self.now)}"


def due_of(row: dict, now: datetime) -> Due | None:
    if row["status"] not in OPEN:
        return None
    if row["responded_at"] is None:
        return Due("回应", row["respond_by"], now)
    return Due("反馈", row["resolve_by"], now)


@dataclass(frozen=True)
class CaseRow:
    code: str
    category: str
    status: S
    text: str
    filer_masked: str
    answer: str
    filed_at: datetime
    due: Due | None
    holder: str  # who holds it: 社区, 某街道, 某部门
    held_for: str  # while escalated and not yet taken: for how long
    reopened: bool
    adopted: bool
    rating: str
    level: L = L.COMMUNITY
    community: str = ""  # the community it is from, named on the street's and departments' desks
    community_id: int = 0

    @property
    def tap(self) -> Verb | None:
        """The step a queue row offers as one tap, for the desk holding the case."""
        return one_tap(self.status, self.level)

    @property
    def tap_label(self) -> str:
        return VERB_LABELS[self.tap] if self.tap else ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def shown_code(self) -> str:
        return codes.shown(self.code)

    @property
    def snippet(self) -> str:
        return self.text if len(self.text) <= 60 else self.text[:58] + "……"

    @property
    def overdue(self) -> bool:
        return bool(self.due and self.due.overdue)

    def age(self, now: datetime) -> str:
        return span(now - self.filed_at)


LIST_COLUMNS = (
    Case.code,
    Case.category,
    Case.status,
    Case.text,
    Case.filer_name,
    Case.answer,
    Case.filed_at,
    Case.respond_by,
    Case.resolve_by,
    Case.responded_at,
    Case.held_since,
    Case.level,
    Case.reopened,
    Case.adopted_at,
    Case.rating,
    Case.community,
    Case.community.name.as_alias("community_name"),
    Case.community.street.name.as_alias("street_name"),  # type: ignore[union-attr]
    Case.department.name.as_alias("department_name"),
)


def holder_name(row: dict) -> str:
    level = L(row["level"])
    if level is L.STREET:
        return row["street_name"] or LEVEL_LABELS[level]
    if level is L.DEPARTMENT:
        return row["department_name"] or LEVEL_LABELS[level]
    return row["community_name"] or LEVEL_LABELS[level]


def case_row(r: dict, now: datetime) -> CaseRow:
    held = r["held_since"]
    return CaseRow(
        code=r["code"],
        category=r["category"],
        status=S(r["status"]),
        text=r["text"],
        filer_masked=mask_name(r["filer_name"]) if r["filer_name"] else "匿名",
        answer=r["answer"],
        filed_at=r["filed_at"],
        due=due_of(r, now),
        holder=holder_name(r),
        held_for=span(now - held) if held and r["status"] == S.ESCALATED else "",
        reopened=r["reopened"],
        adopted=r["adopted_at"] is not None,
        rating=RATING_LABELS.get(r["rating"], "") if r["rating"] else "",
        level=L(r["level"]),
        community=r["community_name"] or "",
        community_id=r["community"],
    )


def queue_order(row: CaseRow) -> tuple:
    """Overdue first, then reopened (不满意 puts a case back on top), then by time left."""
    due_at = row.due.at if row.due else row.filed_at
    return (not row.overdue, not row.reopened, due_at)


# The public board --------------------------------------------------------------------------


@dataclass
class Board:
    counts: dict[S, int]
    rows: list[CaseRow]
    more: bool


def _public_cases(community: int) -> Select:
    return Case.select(*LIST_COLUMNS).where(
        (Case.community == community) & (Case.is_public == True)  # noqa: E712
    )


# The board as most people open it, and its counts: built once (civic/prepared.py).
_STATE_COUNTS = Prepared(
    lambda community: (
        Case.select(Case.status, Count(alias="n"))
        .where(Case.community == community)
        .group_by(Case.status)
    ),
    community=int,
)
_BOARD_FIRST_PAGE = Prepared(
    lambda community: (
        _public_cases(community).order_by(Case.filed_at, ascending=False).limit(BOARD_PAGE + 1)
    ),
    community=int,
)


async def board(
    community_id: int, now: datetime, status: str = "", category: str = "", page: int = 1
) -> Board:
    """Public cases, newest first, with the count of every case per state: two queries."""
    counts = await _STATE_COUNTS(community=community_id)
    page = max(page, 1)
    status = status if status in {s.value for s in S} else ""
    category = category if category in {c.value for c in Case.Category} else ""
    if page == 1 and not status and not category:
        rows = await _BOARD_FIRST_PAGE(community=community_id)
    else:
        query = _public_cases(community_id)
        if status:
            query = query.where(Case.status == status)
        if category:
            query = query.where(Case.category == category)
        rows = (
            await query.order_by(Case.filed_at, ascending=False)
            .limit(BOARD_PAGE + 1)
            .offset((page - 1) * BOARD_PAGE)
        )
    return Board(
        counts={S(c["status"]): c["n"] for c in counts},
        rows=[case_row(r, now) for r in rows[:BOARD_PAGE]],
        more=len(rows) > BOARD_PAGE,
    )


# One case ----------------------------------------------------------------------------------


@dataclass
class CasePage:
    case: dict
    row: CaseRow
    community_slug: str
    building: str
    representative: str
    events: list[dict] = field(default_factory=list)
    photo_ids: list[int] = field(default_factory=list)

    def timeline(self, staff: bool, sees: bool = True) -> list[dict]:
        """The steps; without `sees` (a private case, a stranger) the dates and steps only."""
        lines = [_event_line(e, staff) for e in self.events]
        if not sees:
            for line in lines:
                line["note"] = ""
        return lines


def _event_line(e: dict, staff: bool) -> dict:
    """An event as the timeline shows it: the body that acted, never a resident's name."""
    verb = Verb(e["verb"])
    what = VERB_LABELS[verb]
    if verb in {Verb.FILE, Verb.RATE, Verb.REOPEN}:
        who = "反映人"
    elif verb is Verb.EXPIRE:
        who = "系统"
    else:
        who = LEVEL_LABELS[L(e["acted_as"])]
    if verb in INTERNAL:
        what = f"{what} → {e['to_holder']}"
    return {
        "at": e["at"],
        "what": what,
        "who": f"{who}（{e['actor_name']}）" if staff and e["actor_name"] else who,
        "note": e["note"] if staff or verb not in INTERNAL else "",
        "status": STATUS_LABELS[S(e["to_status"])],
    }


# A case's page (its own, its receipt, each step's answer) starts here: built once.
_CASE_BY_CODE = Prepared(
    lambda code: (
        Case.select(
            *Case.all_columns(),
            Case.community.name.as_alias("community_name"),
            Case.community.slug.as_alias("community_slug"),
            Case.community.street.as_alias("street_id"),
            Case.community.street.name.as_alias("street_name"),  # type: ignore[union-attr]
            Case.department.name.as_alias("department_name"),
            Case.building.name.as_alias("building_name"),
            Case.representative.name.as_alias("representative_name"),
        )
        .where(Case.code == code)
        .first()
    ),
    code=str,
)
_TIMELINE = Prepared(
    lambda case: (
        CaseEvent.select(
            CaseEvent.verb,
            CaseEvent.from_status,
            CaseEvent.to_status,
            CaseEvent.level,
            CaseEvent.note,
            CaseEvent.at,
            CaseEvent.actor.name.as_alias("actor_name"),
            CaseEvent.department.name.as_alias("department_name"),
        )
        .where(CaseEvent.case == case)
        .order_by(CaseEvent.id)
    ),
    case=int,
)
_PHOTOS = Prepared(
    lambda case: (
        CasePhoto.select(CasePhoto.photo_id)
        .where(CasePhoto.case == case)
        .order_by(CasePhoto.position)
    ),
    case=int,
)


async def case_by_code(code: str) -> dict | None:
    """The case's row with its places' names, in one query."""
    return await _CASE_BY_CODE(code=code)


async def case_page(code: str, now: datetime) -> CasePage | None:
    """The case, its timeline and its photos in three queries."""
    case = await case_by_code(code)
    if case is None:
        return None
    events = await _TIMELINE(case=case["id"])
    photos = await _PHOTOS(case=case["id"])
    # Who acted: the level that held the case before the step (a take or hand-back is done by
    # the side that was summoned; an escalation by the side that blew the whistle).
    held = L.COMMUNITY.value
    for e in events:
        e["acted_as"] = held
        e["to_holder"] = holder_name(
            {**case, "level": e["level"] or held, "department_name": e["department_name"]}
        )
        held = e["level"] or held
    return CasePage(
        case=case,
        row=case_row(case, now),
        community_slug=case["community_slug"],
        building=case["building_name"] or "",
        representative=case["representative_name"] or "",
        events=events,
        photo_ids=[p["photo_id"] for p in photos],
    )


# Staff queues ------------------------------------------------------------------------------


@dataclass
class Queue:
    mine: list[CaseRow]  # waiting for this desk, overdue first
    elsewhere: list[CaseRow]  # sent up or down, held by someone else
    waiting: list[CaseRow]  # feedback given, waiting for the filer's rating
    communities: list[tuple[int, str]] = field(default_factory=list)
    """The communities the desk's cases come from, by name: the filter's choices."""
    community_id: int | None = None
    """The community the queue is filtered to, when it is."""


def _queue(
    rows: list[dict],
    now: datetime,
    is_mine: Callable[[dict], bool],
    community_id: int | None = None,
) -> Queue:
    """The rows in the desk's three lists; with `community_id`, those from that community only
    (the choices still list every community the desk has cases from)."""
    mine, elsewhere, waiting = [], [], []
    communities = sorted({(r["community"], r["community_name"]) for r in rows}, key=lambda c: c[1])
    for r in rows:
        if community_id is not None and r["community"] != community_id:
            continue
        row = case_row(r, now)
        if row.status is S.FEEDBACK:
            waiting.append(row)
        elif is_mine(r):
            mine.append(row)
        else:
            elsewhere.append(row)
    mine.sort(key=queue_order)
    elsewhere.sort(key=queue_order)
    waiting.sort(key=lambda r: r.filed_at)
    return Queue(mine, elsewhere, waiting, communities, community_id)


_QUEUED = (*OPEN, S.FEEDBACK)


# The desks' queues are their busiest pages: built once (civic/prepared.py).
_COMMUNITY_QUEUE = Prepared(
    lambda community: Case.select(*LIST_COLUMNS).where(
        (Case.community == community) & Case.status.is_in(list(_QUEUED))
    ),
    community=int,
)
_MAILBOX_QUEUE = Prepared(
    lambda community, representative: Case.select(*LIST_COLUMNS).where(
        (Case.community == community)
        & Case.status.is_in(list(_QUEUED))
        & (Case.representative == representative)
    ),
    community=int,
    representative=int,
)
_STREET_QUEUE = Prepared(
    lambda street: Case.select(*LIST_COLUMNS, Case.community.slug.as_alias("slug")).where(
        (Case.community.street == street)
        & Case.status.is_in(list(OPEN))
        & Case.level.is_in([L.STREET, L.DEPARTMENT])
    ),
    street=int,
)
_DEPARTMENT_QUEUE = Prepared(
    lambda department: Case.select(*LIST_COLUMNS).where(
        (Case.department == department)
        & (Case.level == L.DEPARTMENT)
        & Case.status.is_in(list(OPEN))
    ),
    department=int,
)


async def community_queue(
    community_id: int, now: datetime, representative_id: int | None = None
) -> Queue:
    """A community's open cases in one query; a representative sees only their mailbox."""
    if representative_id is None:
        rows = await _COMMUNITY_QUEUE(community=community_id)
    else:
        rows = await _MAILBOX_QUEUE(community=community_id, representative=representative_id)
    return _queue(rows, now, lambda r: r["level"] == L.COMMUNITY)


async def street_queue(street_id: int, now: datetime, community_id: int | None = None) -> Queue:
    """Cases escalated to the street from any of its communities, and those it sent on; with
    `community_id`, those of one community."""
    rows = await _STREET_QUEUE(street=street_id)
    return _queue(rows, now, lambda r: r["level"] == L.STREET, community_id)


async def department_queue(
    department_id: int, now: datetime, community_id: int | None = None
) -> Queue:
    rows = await _DEPARTMENT_QUEUE(department=department_id)
    return _queue(rows, now, lambda r: True, community_id)


async def queue_row(code: str, now: datetime) -> CaseRow | None:
    """One row, for the htmx swap after a one-tap action."""
    row = await Case.select(*LIST_COLUMNS).where(Case.code == code).first()
    return case_row(row, now) if row else None


# /me ---------------------------------------------------------------------------------------


async def me_items(person_id: int) -> list[MeItem]:
    rows = await (
        Case.select(Case.code, Case.text, Case.status, Case.filed_at)
        .where((Case.filer == person_id) | (Case.filed_by == person_id))
        .order_by(Case.filed_at, ascending=False)
        .limit(20)
    )
    items = []
    for r in rows:
        status = S(r["status"])
        step = "已反馈，请评价办理结果" if status is S.FEEDBACK else STATUS_LABELS[status]
        snippet = r["text"] if len(r["text"]) <= 20 else r["text"][:19] + "……"
        filed = local(r["filed_at"])
        items.append(MeItem(f"意见（{filed:%m月%d日}）：{snippet}", f"/s/{r['code']}", step))
    return items


async def case_photo(case_id: int, position: int) -> Photo | None:
    link = (
        await CasePhoto.select(CasePhoto.photo_id)
        .where((CasePhoto.case == case_id) & (CasePhoto.position == position))
        .first()
    )
    return await photos.load(link["photo_id"]) if link else None
