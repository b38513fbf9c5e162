"""A topic's vote: casting and changing a vote, paper ballots entered by staff, and what the
topic page shows of it. No HTTP in here.

One vote per voter is kept by the database: `Vote.voter` is unique, "<topic>:p<person>" on a
vote per resident and "<topic>:h<household>" on a vote per household. A vote is an INSERT …
ON CONFLICT DO NOTHING; when a row is already there, an UPDATE limited to the same person's own
site vote changes it, and anything else (another resident of the home, a paper ballot) is
refused with who voted and when. Under any race exactly one row is written per voter.

On a vote per household the household's area is recorded with the vote, at the moment it is
cast; on a vote per resident the area is not counted (0), since several residents of one home
would count it several times and a simple majority counts heads only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from civic.accounts.roles import ROLE_SCOPE, Scope
from civic.accounts.viewer import Home, Viewer
from civic.db import write_transaction
from civic.errors import Invalid, InvalidTransition, NotAllowed
from civic.hall import service, tally
from civic.hall.service import Standing
from civic.hall.tables import Meeting, Topic, Vote, VoteOption
from civic.hall.workflow import S
from civic.places.tables import Household
from civic.web.i18n import _
from civic.web.privacy import mask_name
from civic.web.templating import local_time

Counting = Topic.Counting
TopicScope = Topic.Scope

MEETING_KINDS = {
    Meeting.Kind.HOUSEHOLD_HEADS: _("户长会"),
    Meeting.Kind.HEARING: _("民情恳谈会"),
    Meeting.Kind.COUNCIL: _("议事会"),
}
MOST_HOUSEHOLDS_LISTED = 1000
"""The paper-ballot form lists at most this many households not yet voted."""
_COMMUNITY_ROLES = tuple(sorted(r.value for r, s in ROLE_SCOPE.items() if s is Scope.COMMUNITY))


def per_household(topic: dict[str, Any]) -> bool:
    return Counting(topic["counting"]) is not Counting.PERSON


def is_open(topic: dict[str, Any], now: datetime) -> bool:
    """Voting is open while the topic is at 表决 and its closing time (if any) is ahead."""
    until = topic.get("vote_until")
    return S(topic["status"]) is S.VOTING and (until is None or now < until)


def is_closed(topic: dict[str, Any], now: datetime) -> bool:
    """The vote was opened and is over: its closing time passed, or the topic moved on."""
    return topic.get("voting_at") is not None and not is_open(topic, now)


def voter_key(topic: dict[str, Any], person_id: int, home: Home | None) -> str:
    """The unique key of the viewer's vote on this topic ("" when they have none)."""
    if not per_household(topic):
        return f"{topic['id']}:p{person_id}"
    return f"{topic['id']}:h{home.id}" if home is not None else ""


def household_key(topic_id: int, household_id: int) -> str:
    return f"{topic_id}:h{household_id}"


def _home_refusal(topic: dict[str, Any], home: Home | None) -> str:
    """Why this home may not vote on a household topic; "" when it may."""
    if home is None:
        return _("这项表决按户投票：请先在“我的”里登记您家的门牌，社区确认后就能投。")
    if not home.confirmed:
        return _("您登记的门牌还在等社区确认，确认后就能投票。")
    scope = TopicScope(topic["scope"])
    if scope is TopicScope.COMMUNITY and home.community_id != topic["community"]:
        return _("这项表决由本社区的住户投票。")
    if scope is TopicScope.BUILDING and home.building_id != topic["building"]:
        return _("这项表决只由这栋楼的住户投票。")
    if scope is TopicScope.GRID and home.grid_id != topic["grid"]:
        return _("这项表决只由这个网格的住户投票。")
    if Counting(topic["counting"]) is Counting.HEAD and not home.is_head:
        return _("这项表决每户由户长投票，请和您家户长商量。")
    return ""


def refusal(topic: dict[str, Any], standing: Standing, now: datetime) -> str:
    """Why the viewer may not vote now, in Chinese; "" when they may (a vote already cast by
    someone else of their home is checked against the database, not here)."""
    if not topic["has_vote"]:
        return _("这个议题没有表决。")
    if not is_open(topic, now):
        if S(topic["status"]) in (S.COLLECTING, S.DELIBERATING, S.PROPOSED):
            return _("表决还没有开始。")
        return _("表决已经结束。")
    if standing.viewer is None:
        return _("登录后就能投票。")
    if not per_household(topic):
        return "" if standing.takes_part else standing.why_not
    return _home_refusal(topic, standing.viewer.home)


# What is shown of a vote ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    """A vote as shown: whose (masked), when, on the site or on paper."""

    option_id: int
    option_label: str
    by: str
    """The voter's masked name; "" for a paper ballot naming nobody."""
    mine: bool
    on_paper: bool
    entered_by: str
    """Masked name of whoever typed in the paper ballot."""
    meeting: str
    """The meeting a paper ballot came from: "户长会（11月30日）", or ""."""
    cast_at: datetime
    changed_at: datetime | None

    @property
    def words(self) -> str:
        """ "张** 于 12月01日 10:00 在网上投票" / "王** 于 … 录入纸质票（户长会（11月30日））"."""
        at = local_time(self.cast_at, "%m月%d日 %H:%M")
        if not self.on_paper:
            return _("{who} 于 {at} 在网上投票").format(who=self.by, at=at)
        where = f"（{self.meeting}）" if self.meeting else ""
        whose = _("（{who}的票）").format(who=self.by) if self.by else ""
        return _("{staff} 于 {at} 录入纸质票{whose}{where}").format(
            staff=self.entered_by, at=at, whose=whose, where=where
        )


def _meeting_label(kind: str | None, held_on: Any) -> str:
    if not kind:
        return ""
    day = held_on if isinstance(held_on, str) else f"{held_on:%Y-%m-%d}"
    month_day = f"{int(day[5:7])}月{int(day[8:10])}日" if len(day) >= 10 else day
    return f"{MEETING_KINDS.get(Meeting.Kind(kind), kind)}（{month_day}）"


def _ballot(row: dict[str, Any], viewer_id: int | None, labels: dict[int, str]) -> Ballot:
    return Ballot(
        option_id=row["option"],
        option_label=labels.get(row["option"], ""),
        by=mask_name(row["voter_name"]) if row["voter_name"] else "",
        mine=row["entered_by"] is None and viewer_id is not None and row["person"] == viewer_id,
        on_paper=row["entered_by"] is not None,
        entered_by=mask_name(row["enterer_name"]) if row["enterer_name"] else "",
        meeting=_meeting_label(row["meeting_kind"], row["meeting_on"]),
        cast_at=row["cast_at"],
        changed_at=row["changed_at"],
    )


_BALLOT_COLUMNS = (
    " v.option AS option, v.person AS person, v.entered_by AS entered_by,"
    " v.cast_at AS cast_at, v.changed_at AS changed_at, pv.name AS voter_name,"
    " pe.name AS enterer_name, m.kind AS meeting_kind, m.held_on AS meeting_on"
)
_BALLOT_JOINS = (
    " LEFT JOIN person pv ON pv.id = v.person"
    " LEFT JOIN person pe ON pe.id = v.entered_by"
    " LEFT JOIN meeting m ON m.id = v.meeting"
)


async def _ballot_of(voter: str) -> Ballot | None:
    rows = await Vote.raw(
        "SELECT" + _BALLOT_COLUMNS + ", o.label AS label FROM vote v"
        " JOIN vote_option o ON o.id = v.option" + _BALLOT_JOINS + " WHERE v.voter = {}",
        voter,
    )
    if not rows:
        return None
    return _ballot(rows[0], None, {rows[0]["option"]: rows[0]["label"]})


HOME_VOTED = _("您家已经投过票：")


def _home_voted(ballot: Ballot | None) -> str:
    words = ballot.words if ballot else ""
    return HOME_VOTED + _("{words}。每户一票，以先投的为准。").format(words=words)


class AlreadyVoted(InvalidTransition):
    """The home (or the household on paper) has a vote already: who cast it, and when."""

    def __init__(self, message: str, ballot: Ballot | None) -> None:
        super().__init__(message)
        self.ballot = ballot


# Casting -------------------------------------------------------------------------------------


async def _open_option(topic_id: int, option_id: int, now: datetime) -> None:
    """Inside the vote's transaction, after service.touch took the topic's row: the option
    is one of this topic's and the vote is still open."""
    rows = await Topic.raw(
        "SELECT t.status, t.vote_until, t.voting_at, t.has_vote,"
        " (SELECT COUNT(*) FROM vote_option o WHERE o.id = {} AND o.topic = t.id) AS found"
        " FROM topic t WHERE t.id = {}",
        option_id,
        topic_id,
    )
    if not rows or not is_open(rows[0], now):
        raise InvalidTransition(_("表决已经结束。"))
    if not rows[0]["found"]:
        raise Invalid({"option": _("请选择一个选项。")})


async def cast(viewer: Viewer, topic: dict[str, Any], option_id: int, now: datetime) -> str:
    """The viewer votes for `option_id`, or changes their vote. Returns "cast" or "changed".
    On a household topic the home's first vote counts: another resident of the home, or a
    paper ballot entered for it, stands, and this one is refused with who voted when."""
    who = service.standing(viewer, topic)
    if why := refusal(topic, who, now):
        raise (NotAllowed if is_open(topic, now) else InvalidTransition)(why)
    home = viewer.home
    voter = voter_key(topic, viewer.id, home)
    by_home = per_household(topic)
    async with write_transaction(Vote._meta.db):
        await service.touch(topic["id"])
        await _open_option(topic["id"], option_id, now)
        inserted = (
            await Vote.insert(
                Vote(
                    topic=topic["id"],
                    option=option_id,
                    voter=voter,
                    person=viewer.id,
                    household=home.id if home is not None else None,
                    area_dm2=home.area_dm2 if by_home and home is not None else 0,
                    cast_at=now,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(Vote.id)
        )
        if inserted:
            return "cast"
        changed = (
            await Vote.update({Vote.option: option_id, Vote.changed_at: now})
            .where((Vote.voter == voter) & (Vote.person == viewer.id) & (Vote.entered_by.is_null()))
            .returning(Vote.id)
        )
        if changed:
            return "changed"
        ballot = await _ballot_of(voter)
    raise AlreadyVoted(_home_voted(ballot), ballot)


async def _household_in_scope(topic: dict[str, Any], household_id: int) -> int | None:
    """The household's area when it is one of the topic's scope; None when it is not."""
    where, place = _scope_condition(topic)
    rows = await Household.raw(
        "SELECT h.area_dm2 FROM household h JOIN building b ON b.id = h.building"  # noqa: S608 (constant SQL; values bound)
        " WHERE h.id = {} AND " + where,
        household_id,
        place,
    )
    return rows[0]["area_dm2"] if rows else None


async def enter_paper(
    viewer: Viewer,
    topic: dict[str, Any],
    household_id: int,
    option_id: int,
    meeting_id: int | None,
    now: datetime,
) -> None:
    """Staff or a council member type in a paper ballot for a named household of the scope
    (from a meeting, or handed in): refused when the household voted already, on the site or
    on paper, saying who and when."""
    if not service.standing(viewer, topic).is_moderator:
        raise NotAllowed(_("只有社区工作者和议事会成员可以录入纸质票。"))
    if not per_household(topic):
        raise NotAllowed(_("纸质票按户录入；这项表决是每位居民一票，请居民在网上投。"))
    if not is_open(topic, now):
        raise InvalidTransition(_("表决已经结束。"))
    area = await _household_in_scope(topic, household_id)
    if area is None:
        raise Invalid({"household": _("请从列表里选择这个议题范围内的一户。")})
    if meeting_id is not None and not await Meeting.exists().where(
        (Meeting.id == meeting_id) & (Meeting.topic == topic["id"])
    ):
        raise Invalid({"meeting": _("请从列表里选择这个议题的会议。")})
    voter = household_key(topic["id"], household_id)
    async with write_transaction(Vote._meta.db):
        await service.touch(topic["id"])
        await _open_option(topic["id"], option_id, now)
        inserted = (
            await Vote.insert(
                Vote(
                    topic=topic["id"],
                    option=option_id,
                    voter=voter,
                    person=None,
                    household=household_id,
                    area_dm2=area,
                    entered_by=viewer.id,
                    meeting=meeting_id,
                    cast_at=now,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(Vote.id)
        )
        if inserted:
            return
        ballot = await _ballot_of(voter)
    words = ballot.words if ballot else ""
    raise AlreadyVoted(_("这一户已经投过票：{words}，不能再录入。").format(words=words), ballot)


# The topic page's part -----------------------------------------------------------------------


@dataclass(frozen=True)
class OptionView:
    id: int
    label: str
    agrees: bool
    abstains: bool
    heads: int
    area_dm2: int
    share: str
    """Of the votes cast, "41.7%"."""

    @property
    def area_text(self) -> str:
        return tally.area_text(self.area_dm2)


@dataclass(frozen=True)
class VoteView:
    """What the topic page shows of the vote, for one viewer."""

    topic_id: int
    counting: str
    threshold: str
    threshold_text: str
    per_household: bool
    vote_until: datetime | None
    is_open: bool
    is_closed: bool
    options: tuple[OptionView, ...]
    shows_tally: bool
    """Whether the counts per option are shown (they are zero in `options` when not)."""
    cast: int
    eligible: tally.Eligible
    turnout: tuple[tally.Check, ...]
    ballot: Ballot | None
    """My vote, or my home's vote."""
    may_vote: bool
    why_not: str
    result: tally.Result | None
    """At close: passed or not, and why."""
    is_moderator: bool
    households: tuple[tuple[int, str], ...] = ()
    """For moderators while open, on a household vote: the scope's households not yet voted."""
    meetings: tuple[tuple[int, str], ...] = ()
    """For moderators: the topic's meetings a paper ballot may come from."""
    more_households: bool = False
    notice: str = ""
    """A refusal (or, with `done`, a confirmation) to show above the form, set by the route."""
    done: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def may_change(self) -> bool:
        return self.may_vote and self.ballot is not None and self.ballot.mine

    @property
    def home_note(self) -> str:
        """That someone else voted for the viewer's home, when `why_not` does not say so."""
        if self.ballot is None or self.ballot.mine or self.why_not.startswith(HOME_VOTED):
            return ""
        return _("您家已经投过票：{words}。").format(words=self.ballot.words)

    @property
    def counting_label(self) -> str:
        return {
            Counting.PERSON: _("每位居民一票"),
            Counting.HOUSEHOLD: _("每户一票，本户任一已确认的居民投，先投为准"),
            Counting.HEAD: _("每户一票，由户长投"),
        }[Counting(self.counting)]

    def with_notice(
        self, notice: str, errors: dict[str, str] | None = None, *, done: bool = False
    ) -> VoteView:
        return replace(self, notice=notice, errors=errors or {}, done=done)


def _scope_condition(topic: dict[str, Any]) -> tuple[str, int]:
    scope = TopicScope(topic["scope"])
    if scope is TopicScope.BUILDING:
        return "h.building = {}", topic["building"]
    if scope is TopicScope.GRID:
        return "b.grid = {}", topic["grid"]
    return "b.community = {}", topic["community"]


def _eligible_sql(topic: dict[str, Any]) -> tuple[str, list[Any]]:
    """Subqueries for the eligible heads and area: every household of the scope (the law
    counts all owners, not only those who signed up), and on a vote per resident the people
    who take part (as service.standing decides: a home in the scope, confirmed for a grid or
    building; on a community topic also anyone holding a community role there)."""
    where, place = _scope_condition(topic)
    households = "SELECT h.id FROM household h JOIN building b ON b.id = h.building WHERE " + where  # noqa: S608 (constant SQL; values bound)
    area = (
        "(SELECT COALESCE(SUM(h.area_dm2), 0) FROM household h"  # noqa: S608 (constant SQL; values bound)
        " JOIN building b ON b.id = h.building WHERE " + where + ")"
    )
    if per_household(topic):
        heads = (
            "(SELECT COUNT(*) FROM household h JOIN building b ON b.id = h.building"  # noqa: S608 (constant SQL; values bound)
            " WHERE " + where + ")"
        )
        return f"{heads} AS heads, {area} AS area", [place, place]
    if TopicScope(topic["scope"]) is TopicScope.COMMUNITY:
        roles = ", ".join("{}" for _r in _COMMUNITY_ROLES)
        heads = (
            "(SELECT COUNT(*) FROM person p WHERE p.is_active = {} AND (p.household IN ("  # noqa: S608 (constant SQL; values bound)
            + households
            + ") OR EXISTS (SELECT 1 FROM membership ms WHERE ms.person = p.id"
            " AND ms.scope_id = {} AND ms.role IN (" + roles + "))))"
        )
        args = [True, place, topic["community"], *_COMMUNITY_ROLES, place]
        return f"{heads} AS heads, {area} AS area", args
    heads = (
        "(SELECT COUNT(*) FROM person p WHERE p.is_active = {}"  # noqa: S608 (constant SQL; values bound)
        " AND p.household_confirmed_at IS NOT NULL AND p.household IN (" + households + "))"
    )
    return f"{heads} AS heads, {area} AS area", [True, place, place]


async def _counts(topic_id: int) -> list[dict[str, Any]]:
    return await VoteOption.raw(
        "SELECT o.id, o.position, o.label, o.agrees, o.abstains,"
        " COUNT(v.id) AS heads, COALESCE(SUM(v.area_dm2), 0) AS area"
        " FROM vote_option o LEFT JOIN vote v ON v.option = o.id"
        " WHERE o.topic = {}"
        " GROUP BY o.id, o.position, o.label, o.agrees, o.abstains"
        " ORDER BY o.position, o.id",
        topic_id,
    )


async def _totals_and_ballot(topic: dict[str, Any], voter: str) -> dict[str, Any]:
    eligible, args = _eligible_sql(topic)
    rows = await Vote.raw(
        "SELECT " + eligible + ", v.id AS vote," + _BALLOT_COLUMNS + " FROM (SELECT 1 AS one) here"  # noqa: S608 (constant SQL; values bound)
        " LEFT JOIN vote v ON v.voter = {}" + _BALLOT_JOINS,
        *args,
        voter,
    )
    return rows[0]


async def _for_moderators(topic: dict[str, Any]) -> list[dict[str, Any]]:
    """The scope's households not yet voted, and the topic's meetings: one query."""
    where, place = _scope_condition(topic)
    return await Vote.raw(
        "SELECT * FROM (SELECT 'h' AS kind, h.id AS id, b.name AS building, h.door AS label,"  # noqa: S608 (constant SQL; values bound)
        " b.position AS position, '' AS held_on"
        " FROM household h JOIN building b ON b.id = h.building WHERE " + where + " AND NOT EXISTS"
        " (SELECT 1 FROM vote v WHERE v.topic = {} AND v.household = h.id)"
        " ORDER BY b.position, b.name, h.door LIMIT {}) households"
        " UNION ALL SELECT 'm' AS kind, m.id AS id, '' AS building, m.kind AS label,"
        " 0 AS position, CAST(m.held_on AS VARCHAR(10)) AS held_on FROM meeting m"
        " WHERE m.topic = {}",
        place,
        topic["id"],
        MOST_HOUSEHOLDS_LISTED + 1,
        topic["id"],
    )


def _whole(value: Any) -> int:
    return int(value or 0)


async def view(
    topic: dict[str, Any], standing: Standing, now: datetime, *, ballots: bool = False
) -> VoteView | None:
    """The vote's part of the topic page, or None when the topic has no vote. Two queries
    (options with their counts; the eligible totals with my or my home's vote), and with
    `ballots` a third for the paper-ballot page (households not yet voted, the meetings)."""
    if not topic["has_vote"]:
        return None
    viewer = standing.viewer
    open_now, closed = is_open(topic, now), is_closed(topic, now)
    by_home = per_household(topic)
    home = viewer.home if viewer is not None else None
    # A home's vote is shown to its residents once the home is confirmed as theirs.
    voter = ""
    if viewer is not None and (not by_home or (home is not None and home.confirmed)):
        voter = voter_key(topic, viewer.id, home)
    counted = await _counts(topic["id"])
    row = await _totals_and_ballot(topic, voter)
    labels = {o["id"]: o["label"] for o in counted}
    options = [
        tally.OptionCount(
            o["label"],
            _whole(o["heads"]),
            _whole(o["area"]),
            bool(o["agrees"]),
            bool(o["abstains"]),
            o["id"],
        )
        for o in counted
    ]
    eligible = tally.Eligible(_whole(row["heads"]), _whole(row["area"]), by_home)
    threshold = str(topic["threshold"])
    cast_total = sum(o.heads for o in options)
    shows = bool(topic["tally_while_open"]) or closed or standing.is_moderator
    ballot = (
        _ballot(row, viewer.id if viewer else None, labels) if row["vote"] is not None else None
    )
    why_not = refusal(topic, standing, now)
    if not why_not and ballot is not None and not ballot.mine:
        why_not = _("您家已经投过票：{words}。每户一票，以先投的为准。").format(words=ballot.words)
    households: list[tuple[int, str]] = []
    meetings: list[tuple[int, str]] = []
    if ballots and standing.is_moderator and by_home and not closed:
        for r in await _for_moderators(topic):
            if r["kind"] == "h":
                scope_wide = TopicScope(topic["scope"]) is not TopicScope.BUILDING
                label = f"{r['building']} {r['label']}" if scope_wide else r["label"]
                households.append((r["id"], label))
            else:
                meetings.append((r["id"], _meeting_label(r["label"], r["held_on"])))
    return VoteView(
        topic_id=topic["id"],
        counting=str(topic["counting"]),
        threshold=threshold,
        threshold_text=tally.THRESHOLD_TEXT.get(threshold, ""),
        per_household=by_home,
        vote_until=topic.get("vote_until"),
        is_open=open_now,
        is_closed=closed,
        options=tuple(
            OptionView(
                o.id,
                o.label,
                o.agrees,
                o.abstains,
                o.heads if shows else 0,
                o.area_dm2 if shows else 0,
                tally.percent_text(o.heads, cast_total) if shows else "",
            )
            for o in options
        ),
        shows_tally=shows,
        cast=cast_total,
        eligible=eligible,
        turnout=tally.turnout(options, eligible, threshold),
        ballot=ballot,
        may_vote=not why_not,
        why_not=why_not,
        result=tally.count(options, eligible, threshold) if closed else None,
        is_moderator=standing.is_moderator,
        households=tuple(households[:MOST_HOUSEHOLDS_LISTED]),
        meetings=tuple(meetings),
        more_households=len(households) > MOST_HOUSEHOLDS_LISTED,
    )
