"""The rules of the 议事厅's topics: who stands where to a topic, opening and proposing one, and
moving it through its stages. Posts, votes and outcomes have their own modules (posts.py,
votes.py, outcome.py) and ask this one who the viewer is. No HTTP in here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civic.accounts.roles import Role, Scope
from civic.accounts.viewer import Home, Place, Viewer, may_act
from civic.db import write_transaction
from civic.errors import Invalid, NotAllowed, NotFound
from civic.hall import notify
from civic.hall.tables import Topic, VoteOption
from civic.hall.workflow import TOPICS, Party, S, Verb
from civic.places.tables import Building, Grid
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long

MODERATORS = frozenset({Role.COMMUNITY_STAFF, Role.COUNCIL_MEMBER})
MAX_TITLE = 60
MAX_TEXT = 3000
YES_NO = ((_("同意"), True, False), (_("不同意"), False, False), (_("弃权"), False, True))
"""The default options of a vote: label, counts as agreement, counts as abstaining."""


@dataclass(frozen=True)
class Standing:
    """Who the viewer is to one topic, worked out once per request and asked by every module.
    `parties` are the keys of the workflow's moves; `why_not` says, in Chinese, why a signed-in
    person may not take part (outside the scope, household not confirmed)."""

    viewer: Viewer | None
    parties: frozenset[Party]
    home: Home | None = None
    why_not: str = ""
    community_roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def is_moderator(self) -> bool:
        return Party.MODERATOR in self.parties

    @property
    def takes_part(self) -> bool:
        return Party.PARTICIPANT in self.parties


def _in_scope(topic: dict[str, Any], home: Home | None, roles: frozenset[Role]) -> str:
    """Empty when a person with this home and these community roles takes part in the topic;
    otherwise why not, in Chinese."""
    scope = Topic.Scope(topic["scope"])
    if scope is Topic.Scope.COMMUNITY:
        if roles or (home is not None and home.community_id == topic["community"]):
            return ""
        return _("这个议题由本社区居民参与。")
    if home is None:
        return _("这个议题由本楼（网格）的住户参与：请先在“我的”里登记您家的门牌。")
    if not home.confirmed:
        return _("您登记的门牌还在等社区确认，确认后就能参与。")
    if scope is Topic.Scope.BUILDING and home.building_id != topic["building"]:
        return _("这个议题只由这栋楼的住户参与。")
    if scope is Topic.Scope.GRID and home.grid_id != topic["grid"]:
        return _("这个议题只由这个网格的住户参与。")
    return ""


def standing(viewer: Viewer | None, topic: dict[str, Any]) -> Standing:
    """How the viewer stands to the topic: no query, the viewer carries their home."""
    if viewer is None:
        return Standing(None, frozenset(), why_not=_("登录后就能参与议事。"))
    community_id = topic["community"]
    roles = frozenset(
        g.role
        for g in viewer.grants
        if g.role.scope is Scope.COMMUNITY and g.scope_id == community_id
    )
    parties: set[Party] = set()
    if may_act(viewer, MODERATORS, Place(community_id=community_id)):
        parties.add(Party.MODERATOR)
    if topic.get("proposed_by") == viewer.id:
        parties.add(Party.PROPOSER)
    home = viewer.home
    why_not = _in_scope(topic, home, roles)
    if not why_not:
        parties.add(Party.PARTICIPANT)
    return Standing(viewer, frozenset(parties), home, why_not, roles)


def may_see(topic: dict[str, Any], standing: Standing) -> bool:
    """A proposal (and a declined one) is seen by its proposer and the moderators only."""
    if S(topic["status"]) in (S.PROPOSED, S.DECLINED):
        return bool(standing.parties & {Party.MODERATOR, Party.PROPOSER})
    return True


async def load(topic_id: int, community_id: int) -> dict[str, Any]:
    """The topic of this community, or NotFound."""
    row = (
        await Topic.select(*Topic.all_columns())
        .where((Topic.id == topic_id) & (Topic.community == community_id))
        .first()
    )
    if row is None:
        raise NotFound(_("没有这个议题。"))
    return row


# Opening and proposing --------------------------------------------------------------------


@dataclass(frozen=True)
class TopicInput:
    title: str
    text: str
    scope: Topic.Scope = Topic.Scope.COMMUNITY
    grid_id: int | None = None
    building_id: int | None = None
    collect_until: datetime | None = None
    deliberate_until: datetime | None = None


async def _checked(community_id: int, given: TopicInput) -> TopicInput:
    errors: dict[str, str] = {}
    title = clean_name(given.title)
    if not title:
        errors["title"] = _("请写一个标题，让大家一眼看懂要商量什么。")
    elif too_long(title, MAX_TITLE):
        errors["title"] = too_long(title, MAX_TITLE)
    text = given.text.strip()
    if not text:
        errors["text"] = _("请写明要商量的事：现在的情况、想怎么改。")
    elif too_long(text, MAX_TEXT):
        errors["text"] = too_long(text, MAX_TEXT)
    grid_id = building_id = None
    if given.scope is Topic.Scope.BUILDING:
        found = await Building.exists().where(
            (Building.id == (given.building_id or 0)) & (Building.community == community_id)
        )
        if not found:
            errors["building"] = _("请选择这个议题所在的楼。")
        building_id = given.building_id
    elif given.scope is Topic.Scope.GRID:
        found = await Grid.exists().where(
            (Grid.id == (given.grid_id or 0)) & (Grid.community == community_id)
        )
        if not found:
            errors["grid"] = _("请选择这个议题所在的网格。")
        grid_id = given.grid_id
    if errors:
        raise Invalid(errors)
    return TopicInput(
        title,
        text,
        given.scope,
        grid_id,
        building_id,
        given.collect_until,
        given.deliberate_until,
    )


async def _create(
    community_id: int, given: TopicInput, actor: Viewer, status: S, verb: Verb, now: datetime
) -> dict[str, Any]:
    checked = await _checked(community_id, given)
    async with write_transaction(Topic._meta.db):
        topic = await TOPICS.create(
            Topic(
                community=community_id,
                scope=checked.scope,
                grid=checked.grid_id,
                building=checked.building_id,
                title=checked.title,
                text=checked.text,
                proposed_by=actor.id if verb is Verb.PROPOSE else None,
                status=status,
                collect_until=checked.collect_until,
                deliberate_until=checked.deliberate_until,
                created_at=now,
                accepted_at=now if status is S.COLLECTING else None,
            ),
            actor_id=actor.id,
            now=now,
            verb=verb,
        )
        if verb is Verb.PROPOSE:
            await notify.new_proposal(topic, now)
    return topic


async def open_topic(
    viewer: Viewer, community_id: int, given: TopicInput, now: datetime
) -> dict[str, Any]:
    """Staff or the council open a topic: it starts collecting needs at once."""
    if not may_act(viewer, MODERATORS, Place(community_id=community_id)):
        raise NotAllowed(_("只有社区工作者和议事会成员可以直接发起议题。"))
    return await _create(community_id, given, viewer, S.COLLECTING, Verb.OPEN, now)


async def propose(
    viewer: Viewer, community_id: int, given: TopicInput, now: datetime
) -> dict[str, Any]:
    """A resident proposes a topic; staff or the council accept or decline it."""
    if not any(
        g.role.scope is Scope.COMMUNITY and g.scope_id == community_id for g in viewer.grants
    ):
        home = viewer.home
        if home is None or home.community_id != community_id:
            raise NotAllowed(_("本社区的居民才能在这里提出议题。"))
    return await _create(community_id, given, viewer, S.PROPOSED, Verb.PROPOSE, now)


# Moving through the stages ------------------------------------------------------------------


async def step(
    viewer: Viewer,
    topic: dict[str, Any],
    verb: Verb,
    now: datetime,
    note: str = "",
    outcome: tuple[Topic.Outcome, str] | None = None,
) -> int:
    """Make a stage move on the topic as the viewer; returns the topic's new version."""
    who = standing(viewer, topic)
    TOPICS.check(verb, topic["status"], who.parties, note)
    changes: dict[Any, Any] = {Topic.changed: topic["changed"] + 1}
    if verb is Verb.OPEN_VOTE:
        if not topic["has_vote"]:
            raise Invalid(
                {"vote": _("这个议题还没有设置表决：请先在“议题设置”里设好选项和截止时间。")}
            )
        if await VoteOption.count().where(VoteOption.topic == topic["id"]) == 0:
            raise Invalid({"vote": _("表决还没有选项。")})
    if verb is Verb.PUBLISH:
        if outcome is None or not outcome[1].strip():
            raise Invalid({"outcome_text": _("请写明结果：决定了什么，或公约的要点。")})
        if too_long(outcome[1], MAX_TEXT):
            raise Invalid({"outcome_text": too_long(outcome[1], MAX_TEXT)})
        changes[Topic.outcome] = outcome[0]
        changes[Topic.outcome_text] = outcome[1].strip()
    return await TOPICS.apply(topic, verb, actor_id=viewer.id, now=now, note=note, changes=changes)


@dataclass(frozen=True)
class VoteSetup:
    """A vote's settings, chosen by staff before it opens."""

    counting: Topic.Counting
    threshold: Topic.Threshold
    tally_while_open: bool
    vote_until: datetime | None
    options: tuple[str, ...] = ()
    """Labels of the choices; empty for 同意 / 不同意 / 弃权."""


async def set_up_vote(
    viewer: Viewer, topic: dict[str, Any], setup: VoteSetup, now: datetime
) -> int:
    """Give the topic a vote (or change it, until the vote opens)."""
    who = standing(viewer, topic)
    TOPICS.check(Verb.SET_UP, topic["status"], who.parties)
    if S(topic["status"]) is S.VOTING:
        raise Invalid({"vote": _("表决已经开始，不能再改设置。")})
    errors: dict[str, str] = {}
    labels = [clean_name(o) for o in setup.options if clean_name(o)]
    if setup.options and len(labels) < 2:
        errors["options"] = _("至少要有两个选项。")
    if len(labels) > 8:
        errors["options"] = _("选项最多 8 个。")
    if any(len(label) > 30 for label in labels):
        errors["options"] = _("每个选项最多 30 个字。")
    if setup.vote_until is not None and setup.vote_until <= now:
        errors["vote_until"] = _("截止时间要在现在之后。")
    if setup.threshold is not Topic.Threshold.MAJORITY and (
        Topic.Scope(topic["scope"]) is not Topic.Scope.BUILDING
        or setup.counting is Topic.Counting.PERSON
    ):
        errors["threshold"] = _(
            "《民法典》第二百七十八条的双过半、双四分之三只用于一栋楼按户表决。"
        )
    if errors:
        raise Invalid(errors)
    options = [(label, i == 0, False) for i, label in enumerate(labels)] if labels else list(YES_NO)
    async with write_transaction(Topic._meta.db):
        version = await TOPICS.apply(
            topic,
            Verb.SET_UP,
            actor_id=viewer.id,
            now=now,
            changes={
                Topic.has_vote: True,
                Topic.counting: setup.counting,
                Topic.threshold: setup.threshold,
                Topic.tally_while_open: setup.tally_while_open,
                Topic.vote_until: setup.vote_until,
                Topic.changed: topic["changed"] + 1,
            },
        )
        await VoteOption.delete().where(VoteOption.topic == topic["id"])
        await VoteOption.insert(
            *(
                VoteOption(topic=topic["id"], position=i, label=label, agrees=agrees, abstains=abst)
                for i, (label, agrees, abst) in enumerate(options)
            )
        )
    return version


async def touch(topic_id: int) -> None:
    """Something the topic page shows changed (a post, a vote, a signature): its ETag moves on
    for every worker. Call inside the change's transaction."""
    await Topic.update({Topic.changed: Topic.changed + 1}).where(Topic.id == topic_id)
