"""What the hall's pages show: the list of topics, the topic with its community, the
moderators' queue and a person's items on /me. Posts, votes and outcomes load their own parts
(posts.page, votes.view, outcome.view)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.columns.combination import Combinable, WhereRaw
from piccolo.query import Select
from piccolo.query.functions.aggregate import Count
from piccolo.query.methods.select import First
from piccolo.querystring import QueryString

from civic.accounts.me import MeItem
from civic.accounts.roles import Scope
from civic.accounts.viewer import Viewer, load_viewer
from civic.errors import NotFound
from civic.hall import service, votes
from civic.hall.tables import Post, Topic, Vote
from civic.hall.workflow import OPEN, STATUS_LABELS, S
from civic.places.service import CommunityInfo
from civic.places.tables import Building, Grid
from civic.prepared import Prepared
from civic.web.i18n import _
from civic.web.templating import local_time

PAGE = 20
WAITING_REPORTS = '"post"."reports" > 0 AND "post"."hidden_at" IS NULL'
"""The reported posts no moderator has handled: the WHERE of the partial index
post_waiting_reports, word for word, so that the planner may use it."""


def stage_end(topic: dict[str, Any]) -> datetime | None:
    """When the topic's current stage is planned to end, if it has a date."""
    return {
        S.COLLECTING: topic.get("collect_until"),
        S.DELIBERATING: topic.get("deliberate_until"),
        S.VOTING: topic.get("vote_until"),
    }.get(S(topic["status"]))


def time_left(end: datetime | None, now: datetime) -> str:
    """ "还剩 3 天", "还剩 5 小时", "已到期" — or "" without a date."""
    if end is None:
        return ""
    seconds = (end - now).total_seconds()
    if seconds <= 0:
        return _("已到期")
    if seconds >= 86400:
        return _("还剩 {n} 天").format(n=int(seconds // 86400))
    return _("还剩 {n} 小时").format(n=max(1, int(seconds // 3600)))


@dataclass(frozen=True)
class TopicRow:
    id: int
    title: str
    status: S
    label: str
    scope: str
    posts: int
    left: str
    proposed: bool


def _scope_label(row: dict[str, Any]) -> str:
    scope = Topic.Scope(row["scope"])
    if scope is Topic.Scope.BUILDING:
        return row.get("building_name") or _("一栋楼")
    if scope is Topic.Scope.GRID:
        return row.get("grid_name") or _("一个网格")
    return _("全社区")


def _listed() -> Select:
    return Topic.select(
        Topic.id,
        Topic.title,
        Topic.status,
        Topic.scope,
        Topic.collect_until,
        Topic.deliberate_until,
        Topic.vote_until,
        Topic.building.name.as_alias("building_name"),
        Topic.grid.name.as_alias("grid_name"),
    )


async def _post_counts(topic_ids: list[int]) -> dict[int, int]:
    if not topic_ids:
        return {}
    rows = (
        await Post.select(Post.topic, Count(alias="n"))
        .where(Post.topic.is_in(topic_ids) & Post.hidden_at.is_null())
        .group_by(Post.topic)
    )
    return {r["topic"]: r["n"] for r in rows}


async def hall(
    community_id: int, stage: str, viewer: Viewer | None, now: datetime, page: int = 1
) -> tuple[list[TopicRow], bool]:
    """The hall: the topics under way (and the viewer's own proposals) first, newest first,
    then the published ones, a page at a time. Three queries."""
    here = Topic.community == community_id
    under_way: list[dict[str, Any]] = []
    if page == 1 and stage != S.PUBLISHED:
        shown: Combinable = Topic.status.is_in([S(stage)] if stage else list(OPEN))
        if viewer is not None and not stage:
            shown |= (Topic.proposed_by == viewer.id) & (Topic.status == S.PROPOSED)
        under_way = await _listed().where(here & shown).order_by(Topic.id, ascending=False)
    done: list[dict[str, Any]] = []
    more = False
    if not stage or stage == S.PUBLISHED:
        done = (
            await _listed()
            .where(here & (Topic.status == S.PUBLISHED))
            .order_by(Topic.published_at, ascending=False)
            .order_by(Topic.id, ascending=False)
            .offset(PAGE * (page - 1))
            .limit(PAGE + 1)
        )
        more = len(done) > PAGE
        done = done[:PAGE]
    chosen = [*under_way, *done]
    posts = await _post_counts([r["id"] for r in chosen])
    return [
        TopicRow(
            r["id"],
            r["title"],
            S(r["status"]),
            STATUS_LABELS[r["status"]],
            _scope_label(r),
            posts.get(r["id"], 0),
            time_left(stage_end(r), now),
            S(r["status"]) is S.PROPOSED,
        )
        for r in chosen
    ], more


def _topic_in_community(slug: str, topic_id: int) -> First:
    street: Any = Topic.community.street  # an FK chain two joins deep, unknown to the checker
    return (
        Topic.select(
            *Topic.all_columns(),
            Topic.community.name.as_alias("c_name"),
            Topic.community.slug.as_alias("c_slug"),
            Topic.community.address.as_alias("c_address"),
            Topic.community.office_hours.as_alias("c_office_hours"),
            Topic.community.office_phone.as_alias("c_office_phone"),
            Topic.community.intro.as_alias("c_intro"),
            street.id.as_alias("c_street_id"),
            street.name.as_alias("c_street_name"),
            street.slug.as_alias("c_street_slug"),
            Topic.building.name.as_alias("building_name"),
            Topic.grid.name.as_alias("grid_name"),
            # What the page's parts need not load when there is none: counted here, beside
            # the topic, so the page stays within its queries whatever it holds.
            QueryString(
                '(SELECT COUNT(*) FROM meeting WHERE meeting.topic = "topic"."id")'
            ).as_alias("meetings_held"),
            QueryString(
                '(SELECT COUNT(*) FROM article WHERE article.topic = "topic"."id")'
            ).as_alias("articles_written"),
        )
        .where((Topic.id == topic_id) & (Topic.community.slug == slug))
        .first()
    )


# Every page, fragment and PDF of a topic starts here: built once (civic/prepared.py).
_TOPIC_IN = Prepared(_topic_in_community, slug=str, topic_id=int)


async def topic_in(slug: str, topic_id: int) -> tuple[CommunityInfo, dict[str, Any]]:
    """The topic and its community, in one query: the topic page's first."""
    row = await _TOPIC_IN(slug=slug, topic_id=topic_id)
    if row is None:
        raise NotFound(_("没有这个议题。"))
    community = CommunityInfo(
        id=row["community"],
        name=row.pop("c_name"),
        slug=row.pop("c_slug"),
        street_id=row.pop("c_street_id"),
        street_name=row.pop("c_street_name"),
        street_slug=row.pop("c_street_slug"),
        address=row.pop("c_address"),
        office_hours=row.pop("c_office_hours"),
        office_phone=row.pop("c_office_phone"),
        intro=row.pop("c_intro"),
    )
    row["scope_label"] = _scope_label(row)
    return community, row


async def topic_for(
    slug: str, topic_id: int, viewer: Viewer | None
) -> tuple[CommunityInfo, dict[str, Any], service.Standing]:
    """The topic, its community and how the viewer stands to it, or NotFound for a topic the
    viewer may not see (a proposal is its proposer's and the moderators'): the one door every
    page, fragment, refusal and PDF of a topic goes through."""
    community, topic = await topic_in(slug, topic_id)
    standing = service.standing(viewer, topic)
    if not service.may_see(topic, standing):
        raise NotFound(_("没有这个议题。"))
    return community, topic, standing


async def scope_choices(community_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The community's grids and buildings, for the new-topic form."""
    grids = (
        await Grid.select(Grid.id, Grid.name)
        .where(Grid.community == community_id)
        .order_by(Grid.position)
    )
    buildings = (
        await Building.select(Building.id, Building.name)
        .where(Building.community == community_id)
        .order_by(Building.position)
    )
    return [(g["id"], g["name"]) for g in grids], [(b["id"], b["name"]) for b in buildings]


@dataclass(frozen=True)
class QueueItem:
    topic_id: int
    title: str
    what: str
    note: str = ""


async def queue(community_id: int, now: datetime) -> list[QueueItem]:
    """What waits for staff and the council: proposals to accept or decline, reported posts
    to look at, stages whose end date has passed. Two queries."""
    topics = (
        await Topic.select(
            Topic.id,
            Topic.title,
            Topic.status,
            Topic.collect_until,
            Topic.deliberate_until,
            Topic.vote_until,
        )
        .where((Topic.community == community_id) & Topic.status.is_in([S.PROPOSED, *OPEN]))
        .order_by(Topic.id)
    )
    items: list[QueueItem] = []
    for t in topics:
        if t["status"] == S.PROPOSED:
            items.append(QueueItem(t["id"], t["title"], _("居民提出的议题，待受理")))
            continue
        end = stage_end(t)
        if end is not None and end <= now:
            what = _("“{stage}”阶段已到期，请推进到下一阶段").format(
                stage=STATUS_LABELS[t["status"]]
            )
            items.append(QueueItem(t["id"], t["title"], what))
    reported = (
        await Post.select(
            Post.topic.id.as_alias("topic_id"),
            Post.topic.title.as_alias("title"),
            Post.id,
            Post.reports,
        )
        # Written out, not bound: the database then reads the posts waiting for a moderator
        # through post_waiting_reports, an index of those alone, whatever the years of posts.
        .where((Post.topic.community == community_id) & WhereRaw(WAITING_REPORTS))
        .order_by(Post.id)
    )
    for p in reported:
        what = _("有人举报了一条发言（{n} 次），请查看").format(n=p["reports"])
        items.append(QueueItem(p["topic_id"], p["title"], what, f"post-{p['id']}"))
    return items


async def _waiting_votes(person_id: int) -> list[MeItem]:
    """Votes open in my communities that I (or my home) may still cast: three queries."""
    viewer = await load_viewer(person_id)
    if viewer is None:
        return []
    places = {g.scope_id for g in viewer.grants if g.role.scope is Scope.COMMUNITY}
    if viewer.home is not None:
        places.add(viewer.home.community_id)
    if not places:
        return []
    voting = await Topic.select(*Topic.all_columns(), Topic.community.slug.as_alias("slug")).where(
        Topic.community.is_in(sorted(places)) & (Topic.status == S.VOTING)
    )
    mine: dict[str, dict[str, Any]] = {}
    for topic in voting:
        standing = service.standing(viewer, topic)
        # Open by its stage; a closing time that has passed is said on the topic itself.
        if votes.refusal({**topic, "vote_until": None}, standing, datetime.max.replace(tzinfo=UTC)):
            continue
        mine[votes.voter_key(topic, viewer.id, viewer.home)] = topic
    if not mine:
        return []
    cast = {r["voter"] for r in await Vote.select(Vote.voter).where(Vote.voter.is_in(list(mine)))}
    return [
        MeItem(
            _("等您投票：{title}").format(title=t["title"]),
            f"/c/{t['slug']}/hall/{t['id']}/#vote",
            _("表决中，截止 {until}").format(until=local_time(t["vote_until"], "%m月%d日 %H:%M"))
            if t["vote_until"]
            else _("表决中"),
        )
        for key, t in mine.items()
        if key not in cast
    ]


async def me_items(person_id: int) -> list[MeItem]:
    """Votes waiting for me, my proposals, and the topics I voted on."""
    mine = (
        await Topic.select(
            Topic.id, Topic.title, Topic.status, Topic.community.slug.as_alias("slug")
        )
        .where(Topic.proposed_by == person_id)
        .order_by(Topic.id, ascending=False)
        .limit(10)
    )
    voted = (
        await Vote.select(
            Vote.topic.id.as_alias("id"),
            Vote.topic.title.as_alias("title"),
            Vote.topic.status.as_alias("status"),
            Vote.topic.community.slug.as_alias("slug"),  # type: ignore[union-attr]
            Vote.cast_at,
        )
        .where(Vote.person == person_id)
        .order_by(Vote.id, ascending=False)
        .limit(10)
    )
    items = await _waiting_votes(person_id)
    items += [
        MeItem(
            _("我提出的议题：{title}").format(title=t["title"]),
            f"/c/{t['slug']}/hall/{t['id']}/",
            STATUS_LABELS[t["status"]],
        )
        for t in mine
    ]
    items += [
        MeItem(
            _("我投过票：{title}").format(title=v["title"]),
            f"/c/{v['slug']}/hall/{v['id']}/#vote",
            _("{at} 投票 · {stage}").format(
                at=local_time(v["cast_at"], "%m月%d日"), stage=STATUS_LABELS[v["status"]]
            ),
        )
        for v in voted
    ]
    return items
