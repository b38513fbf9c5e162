"""A topic's posts: residents say where they stand (支持 / 反对 / 建议 / 其他), reply one level
deep, correct a slip within ten minutes, report (举报) what should not be there; staff and the
council hide a post with a reason, shown in its place. And what the topic page shows of them
to one viewer. No HTTP in here.

Every change moves the topic's `changed` (service.touch) in its own transaction: the posts'
ETag, the same for every worker, so a poll that finds nothing new is answered 304."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.stores.base import Store

from civic.accounts.viewer import Viewer
from civic.db import write_transaction
from civic.errors import DomainError, Invalid, InvalidTransition, NotAllowed, NotFound
from civic.hall import notify, service
from civic.hall.service import Standing
from civic.hall.tables import Post, PostReport, Topic
from civic.hall.workflow import S
from civic.messages import service as messages
from civic.places import service as places
from civic.settings import ROOT
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long
from civic.web.privacy import mask_name
from civic.web.quota import Quota

MAX_TEXT = 1000
MAX_REASON = 100  # Post.hidden_reason
EDIT_MINUTES = 10
PER_PAGE = 20
POSTS_PER_WINDOW = 10
WINDOW_SECONDS = 10 * 60
OPEN_STAGES = frozenset({S.COLLECTING, S.DELIBERATING, S.VOTING})
"""The stages in which people post; a published topic keeps its posts, closed."""

STANCES = (
    (Post.Stance.FOR, _("支持")),
    (Post.Stance.AGAINST, _("反对")),
    (Post.Stance.IDEA, _("建议")),
    (Post.Stance.OTHER, _("其他")),
)
STANCE_LABELS = dict(STANCES)
THROTTLED = _("发言太频繁了：10 分钟内最多发 {n} 条，请 {minutes} 分钟后再发。您写的内容还在。")
LOST = _("这个议题刚刚有了变化，请刷新后再看。")


def quota(store: Store) -> Quota:
    """Posts per person: POSTS_PER_WINDOW in WINDOW_SECONDS, counted in the shared store, so
    it holds under a burst and across workers."""
    return Quota(
        store,
        POSTS_PER_WINDOW,
        WINDOW_SECONDS,
        THROTTLED.replace("{n}", str(POSTS_PER_WINDOW)),
    )


def clean_text(text: str) -> str:
    """Plain text as it is kept: line breaks as typed (at most one empty line in a row),
    spaces at the ends of lines and of the whole taken off."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def why_not_post(topic: dict[str, Any], standing: Standing) -> str:
    """Empty when the viewer may post on the topic now; otherwise why not, in Chinese."""
    stage = S(topic["status"])
    if stage not in OPEN_STAGES:
        if stage is S.PUBLISHED:
            return _("议题已公示结果，发言已经结束。")
        return _("议题受理后才能发言。")
    if standing.viewer is None or standing.takes_part or standing.is_moderator:
        return standing.why_not if standing.viewer is None else ""
    return standing.why_not or _("您不在这个议题的参与范围内。")


def may_post(topic: dict[str, Any], standing: Standing) -> bool:
    return standing.viewer is not None and not why_not_post(topic, standing)


def _checked_text(text: str) -> str:
    body = clean_text(text)
    if not body:
        raise Invalid({"text": _("请写下您的意见。")})
    if too_long(body, MAX_TEXT):
        raise Invalid({"text": too_long(body, MAX_TEXT)})
    return body


async def _topic_link(topic: dict[str, Any], post_id: int) -> str:
    found = await places.communities_by_id([topic["community"]])
    slug = found[topic["community"]].slug if topic["community"] in found else ""
    return f"{notify.link(topic, slug)}#post-{post_id}"


async def _still_open(topic_id: int) -> None:
    """Inside the change's transaction, after service.touch: the topic row is locked (on
    PostgreSQL; SQLite's write lock is held), so a stage move either came before and is seen
    here, or waits until this change is in."""
    row = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
    if row is None or S(row["status"]) not in OPEN_STAGES:
        raise InvalidTransition(LOST)


def _see(viewer: Viewer | None, topic: dict[str, Any]) -> Standing:
    who = service.standing(viewer, topic)
    if not service.may_see(topic, who):
        raise NotFound(_("没有这个议题。"))
    return who


# Writing ------------------------------------------------------------------------------------


async def write(
    viewer: Viewer,
    topic: dict[str, Any],
    stance: str,
    text: str,
    now: datetime,
    parent_id: int | None = None,
    *,
    store: Store | None,
) -> int:
    """A new post, or a reply to a top-level post of the same topic; returns its id.
    `store` holds the per-person throttle (the app's "quota" store); None only for the demo."""
    who = _see(viewer, topic)
    reason = why_not_post(topic, who)
    if reason:
        raise NotAllowed(reason)
    errors: dict[str, str] = {}
    try:
        chosen = Post.Stance(stance)
    except ValueError:
        errors["stance"] = _("请选择您的态度：支持、反对、建议或其他。")
    try:
        body = _checked_text(text)
    except Invalid as refused:
        errors.update(refused.errors)
    if errors:
        raise Invalid(errors)
    parent = None
    if parent_id is not None:
        parent = (
            await Post.select(Post.id, Post.topic, Post.parent, Post.author, Post.hidden_at)
            .where(Post.id == parent_id)
            .first()
        )
        if parent is None or parent["topic"] != topic["id"]:
            raise NotFound(_("没有这条发言。"))
        if parent["parent"] is not None:
            raise Invalid({"text": _("只能回复主帖：请回复它上面的那条发言。")})
        if parent["hidden_at"] is not None:
            raise NotAllowed(_("这条发言已隐藏，不能再回复。"))
    limiter = quota(store) if store is not None else None
    key = f"hall-post:{viewer.id}"
    if limiter is not None:
        await limiter.take(key)
    try:
        async with write_transaction(Post._meta.db):
            await service.touch(topic["id"])
            await _still_open(topic["id"])
            rows = await Post.insert(
                Post(
                    topic=topic["id"],
                    author=viewer.id,
                    parent=parent_id,
                    stance=chosen,
                    text=body,
                    created_at=now,
                )
            ).returning(Post.id)
            post_id: int = rows[0]["id"]
            if parent is not None and parent["author"] != viewer.id:
                told = _("有人回复了您在议题“{title}”的发言。").format(title=topic["title"])
                link = await _topic_link(topic, post_id)
                await messages.tell([parent["author"]], told, link, now)
    except DomainError:
        if limiter is not None:
            await limiter.give_back(key)  # nothing was posted
        raise
    return post_id


async def _post_of(post_id: int, topic_id: int | None) -> dict[str, Any]:
    row = (
        await Post.select(*Post.all_columns()).where(Post.id == post_id).first()
        if topic_id is None
        else await Post.select(*Post.all_columns())
        .where((Post.id == post_id) & (Post.topic == topic_id))
        .first()
    )
    if row is None:
        raise NotFound(_("没有这条发言。"))
    return row


async def _topic_of(post: dict[str, Any]) -> dict[str, Any]:
    row = await Topic.select(*Topic.all_columns()).where(Topic.id == post["topic"]).first()
    if row is None:
        raise NotFound(_("没有这个议题。"))
    return row


def edit_deadline(created_at: datetime) -> datetime:
    return created_at + timedelta(minutes=EDIT_MINUTES)


async def edit(
    viewer: Viewer, post_id: int, text: str, now: datetime, *, topic_id: int | None = None
) -> None:
    """The author corrects their post within EDIT_MINUTES of writing it; later a correction is
    a new post, so what others have answered stays as they read it."""
    post = await _post_of(post_id, topic_id)
    topic = await _topic_of(post)
    _see(viewer, topic)
    if post["author"] != viewer.id:
        raise NotAllowed(_("只有发言人自己能修改这条发言。"))
    if post["hidden_at"] is not None:
        raise NotAllowed(_("这条发言已被隐藏，不能修改。"))
    if S(topic["status"]) not in OPEN_STAGES:
        raise NotAllowed(_("议题已公示结果，发言不能再修改。"))
    if now > edit_deadline(post["created_at"]):
        raise NotAllowed(
            _("发言 {n} 分钟后就不能再修改了。如需更正，请再发一条说明。").format(n=EDIT_MINUTES)
        )
    body = _checked_text(text)
    async with write_transaction(Post._meta.db):
        await service.touch(topic["id"])
        await _still_open(topic["id"])
        changed = (
            await Post.update({Post.text: body, Post.edited_at: now})
            .where((Post.id == post_id) & (Post.author == viewer.id) & Post.hidden_at.is_null())
            .returning(Post.id)
        )
        if not changed:
            raise InvalidTransition(LOST)


async def report(
    viewer: Viewer, post_id: int, now: datetime, *, topic_id: int | None = None
) -> bool:
    """举报: once per person and post, whatever the race (PostReport.key is unique). True when
    this report is new; the community's moderators are told of a post's first report."""
    post = await _post_of(post_id, topic_id)
    topic = await _topic_of(post)
    _see(viewer, topic)
    if post["author"] == viewer.id:
        raise NotAllowed(_("不能举报自己的发言；可以在 10 分钟内修改，或再发一条说明。"))
    if post["hidden_at"] is not None:
        return False
    async with write_transaction(Post._meta.db):
        made = (
            await PostReport.insert(
                PostReport(post=post_id, person=viewer.id, key=f"{post_id}:{viewer.id}", at=now)
            )
            .on_conflict(target=PostReport.key, action="DO NOTHING")
            .returning(PostReport.id)
        )
        if not made:
            return False
        counted = (
            await Post.update({Post.reports: Post.reports + 1})
            .where(Post.id == post_id)
            .returning(Post.reports)
        )
        await service.touch(topic["id"])
        if counted and counted[0]["reports"] == 1:
            text = _("议题“{title}”里有一条发言被举报，请查看。").format(title=topic["title"])
            desk = await notify.moderators(topic["community"])
            await messages.tell(desk, text, await _topic_link(topic, post_id), now)
    return True


async def hide(
    viewer: Viewer, post_id: int, reason: str, now: datetime, *, topic_id: int | None = None
) -> None:
    """Staff or the council hide a post; the reason shows in its place ("此条已隐藏：…"), the
    author still sees their text and is told. Its reports count as handled."""
    post = await _post_of(post_id, topic_id)
    topic = await _topic_of(post)
    who = _see(viewer, topic)
    if not who.is_moderator:
        raise NotAllowed(_("只有社区工作者和议事会成员可以隐藏发言。"))
    why = clean_name(reason)
    if not why:
        raise Invalid({"reason": _("请写明隐藏的理由，大家会看到它。")})
    if too_long(why, MAX_REASON):
        raise Invalid({"reason": too_long(why, MAX_REASON)})
    async with write_transaction(Post._meta.db):
        hidden = (
            await Post.update(
                {
                    Post.hidden_at: now,
                    Post.hidden_by: viewer.id,
                    Post.hidden_reason: why,
                    Post.reports: 0,
                }
            )
            .where((Post.id == post_id) & Post.hidden_at.is_null())
            .returning(Post.id)
        )
        if not hidden:
            raise InvalidTransition(_("这条发言已经隐藏了。"))
        await PostReport.update({PostReport.handled_at: now}).where(
            (PostReport.post == post_id) & PostReport.handled_at.is_null()
        )
        await service.touch(topic["id"])
        text = _("您在议题“{title}”的一条发言已被隐藏：{reason}").format(
            title=topic["title"], reason=why
        )
        await messages.tell([post["author"]], text, await _topic_link(topic, post_id), now)


async def unhide(
    viewer: Viewer, post_id: int, now: datetime, *, topic_id: int | None = None
) -> None:
    """A moderator shows a hidden post again (hidden by mistake)."""
    post = await _post_of(post_id, topic_id)
    topic = await _topic_of(post)
    who = _see(viewer, topic)
    if not who.is_moderator:
        raise NotAllowed(_("只有社区工作者和议事会成员可以恢复发言。"))
    async with write_transaction(Post._meta.db):
        shown = (
            await Post.update({Post.hidden_at: None, Post.hidden_by: None, Post.hidden_reason: ""})
            .where((Post.id == post_id) & Post.hidden_at.is_not_null())
            .returning(Post.id)
        )
        if not shown:
            raise InvalidTransition(_("这条发言没有被隐藏。"))
        await service.touch(topic["id"])
        text = _("您在议题“{title}”的发言已恢复显示。").format(title=topic["title"])
        await messages.tell([post["author"]], text, await _topic_link(topic, post_id), now)


async def page_of(topic_id: int, post_id: int) -> int:
    """The page (newest first) a top-level post, or the post a reply answers, is on."""
    post = await Post.select(Post.id, Post.parent).where(Post.id == post_id).first()
    if post is None:
        return 1
    top = post["parent"] or post["id"]
    newer = await Post.count().where(
        (Post.topic == topic_id) & Post.parent.is_null() & (Post.id > top)
    )
    return newer // PER_PAGE + 1


# What the topic page shows --------------------------------------------------------------


@dataclass(frozen=True)
class ShownPost:
    """One post as this viewer may see it: a hidden post's text only for its author and the
    moderators, the author's name masked but for the moderators."""

    id: int
    stance: str
    stance_label: str
    author: str
    mine: bool
    text: str
    """Empty when the post is hidden from this viewer: only the reason shows."""
    created_at: datetime
    edited: bool
    hidden: bool
    hidden_reason: str
    reports: int
    """How many reports wait on it: for the moderators; 0 for everyone else."""
    reported: bool
    """The viewer has reported it."""
    may_edit: bool
    may_report: bool
    """Anyone signed in but its author, on a post still shown; moderators hide instead."""
    replies: tuple[ShownPost, ...] = ()


@dataclass(frozen=True)
class StanceCount:
    stance: str
    label: str
    n: int


@dataclass(frozen=True)
class PostsPage:
    """What the topic page (templates/hall/_posts.html) shows of the posts, for one viewer."""

    topic_id: int
    items: tuple[ShownPost, ...]
    page: int
    pages: int
    top_level: int
    """Top-level posts on every page, hidden ones included (each keeps its place)."""
    counts: tuple[StanceCount, ...]
    """Visible posts (replies included) by stance."""
    shown: int
    may_post: bool
    why_not: str
    signed_in: bool
    is_moderator: bool
    stances: tuple[tuple[str, str], ...] = tuple((s.value, label) for s, label in STANCES)
    edit_minutes: int = EDIT_MINUTES
    max_text: int = MAX_TEXT


# A page of threads and their replies, each found by key: the threads through their own
# index (post_threads, newest first), the replies through their parent's, whether the viewer
# reported each one through its own. (An OR of the two would read every post of the years.)
# They are few, so they are put in order in Python: an ORDER BY could tempt the database to
# walk the whole table in id order.
_POSTS = """
WITH top AS (
    SELECT id FROM post WHERE topic = {} AND parent IS NULL ORDER BY id DESC LIMIT {} OFFSET {}
)
SELECT p.id, p.parent, p.author, p.stance, p.text, p.created_at, p.edited_at, p.reports,
       p.hidden_at, p.hidden_reason, a.name AS author_name,
       EXISTS (SELECT 1 FROM post_report r WHERE r.post = p.id AND r.person = {}) AS reported
FROM post p
JOIN person a ON a.id = p.author
WHERE p.id IN (
    SELECT id FROM top
    UNION ALL
    SELECT reply.id FROM post reply WHERE reply.parent IN (SELECT id FROM top)
)
"""

_COUNTS = """
SELECT stance,
       COUNT(CASE WHEN hidden_at IS NULL THEN 1 END) AS shown,
       COUNT(CASE WHEN parent IS NULL THEN 1 END) AS top
FROM post WHERE topic = {} GROUP BY stance
"""


def _aware(moment: Any) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def page(
    topic: dict[str, Any], standing: Standing, page_no: int = 1, now: datetime | None = None
) -> PostsPage:
    """A page of the topic's posts, newest first, each with its replies (oldest first, as a
    conversation reads), for the viewer of `standing`. Newest first: the page people keep
    open is the first, and a new post appears at its top when the page polls. Two queries,
    whatever the number of posts."""
    now = now or datetime.now(UTC)
    viewer = standing.viewer
    viewer_id = viewer.id if viewer is not None else 0
    moderator = standing.is_moderator
    page_no = max(1, page_no)
    found = await Post.raw(_POSTS, topic["id"], PER_PAGE, PER_PAGE * (page_no - 1), viewer_id)
    rows = sorted(found, key=lambda row: row["id"])
    counted = await Post.raw(_COUNTS, topic["id"]).run()
    is_open = S(topic["status"]) in OPEN_STAGES

    def shown(row: dict[str, Any], replies: tuple[ShownPost, ...] = ()) -> ShownPost:
        mine = row["author"] == viewer_id
        hidden = row["hidden_at"] is not None
        created = _aware(row["created_at"])
        return ShownPost(
            id=row["id"],
            stance=row["stance"],
            stance_label=STANCE_LABELS.get(row["stance"], _("其他")),
            author=(row["author_name"] if moderator else mask_name(row["author_name"]))
            if not hidden or moderator or mine
            else "",
            mine=mine,
            text=row["text"] if not hidden or moderator or mine else "",
            created_at=created,
            edited=row["edited_at"] is not None,
            hidden=hidden,
            hidden_reason=row["hidden_reason"] if hidden else "",
            reports=row["reports"] if moderator and not hidden else 0,
            reported=bool(row["reported"]),
            may_edit=mine and not hidden and is_open and now <= edit_deadline(created),
            may_report=viewer is not None and not (mine or hidden or moderator),
            replies=replies,
        )

    replies: dict[int, list[ShownPost]] = {}
    for row in rows:
        if row["parent"] is not None:
            replies.setdefault(row["parent"], []).append(shown(row))
    items = [
        shown(row, tuple(replies.get(row["id"], ())))
        for row in sorted(rows, key=lambda r: r["id"], reverse=True)
        if row["parent"] is None
    ]
    by_stance = {r["stance"]: r for r in counted}
    top_level = sum(int(r["top"]) for r in counted)
    counts = tuple(
        StanceCount(s.value, label, int(by_stance[s.value]["shown"]) if s.value in by_stance else 0)
        for s, label in STANCES
    )
    why_not = why_not_post(topic, standing)
    return PostsPage(
        topic_id=topic["id"],
        items=tuple(items),
        page=page_no,
        pages=max(1, -(-top_level // PER_PAGE)),
        top_level=top_level,
        counts=counts,
        shown=sum(c.n for c in counts),
        may_post=viewer is not None and not why_not,
        why_not=why_not,
        signed_in=viewer is not None,
        is_moderator=moderator,
    )


_MARKUP = ""


def _markup() -> str:
    """The posts' templates as deployed: a new release gives new ETags, the same in every
    worker of it."""
    global _MARKUP
    if not _MARKUP:
        digest = hashlib.sha256()
        for name in ("_posts.html", "_post.html"):
            path = ROOT / "templates" / "hall" / name
            digest.update(path.read_bytes() if path.exists() else b"")
        _MARKUP = digest.hexdigest()[:8]
    return _MARKUP


def etag(topic: dict[str, Any], standing: Standing, page_no: int, salt: str = "") -> str:
    """The posts fragment's ETag: the topic's `changed` (in the database, so every worker
    agrees), the page, and who looks: a moderator sees names, an author their hidden text, a
    resident in scope the form, a visitor the sign-in link. `salt` is what else the fragment
    carries for this browser (its CSRF token)."""
    viewer = standing.viewer
    who = "-" if viewer is None else str(viewer.id)
    kind = ",".join(sorted(standing.parties)) + "|" + standing.why_not + "|" + salt
    digest = hashlib.sha256(kind.encode()).hexdigest()[:10]
    return f'W/"p{topic["id"]}.{topic["changed"]}.{page_no}.{who}.{digest}.{_markup()}"'
