"""What a topic ends in: a decision, or a convention (公约) of numbered articles that the
residents in its scope sign (签署); and the meetings held on it (户长会, 民情恳谈会, 议事会).
No HTTP in here: the rules, and what the topic page and the outcome page show of them.

Every change moves the topic's `changed` (service.touch) first thing in its transaction: on
PostgreSQL that UPDATE holds the topic's row until the transaction ends, so articles replaced
while someone signs are either replaced before the signature or refused after it, never both;
on SQLite the write transaction serialises them anyway. The signature's unique key
"<topic>:<person>" keeps one signature per person under any race."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from civic.accounts.viewer import Viewer
from civic.db import write_transaction
from civic.errors import Invalid, InvalidTransition, NotAllowed
from civic.hall import service
from civic.hall.service import Standing
from civic.hall.tables import Article, Meeting, Signature, Topic
from civic.hall.workflow import S
from civic.web.clock import local
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long

MAX_ARTICLES = 40
MAX_ARTICLE = 500
"""Characters in one article."""
MAX_PLACE = Meeting.place.length
MAX_MINUTES = 5000
MAX_ATTENDED = 10_000
MEETING_DAYS_AHEAD = 60
"""A meeting may be recorded ahead of the day it is held, by at most this many days."""
EARLIEST_MEETING = date(2000, 1, 1)

EDITABLE = frozenset({S.DELIBERATING, S.VOTING})
"""Stages in which the convention's draft articles may be written; after publishing, they may
still be corrected until the first resident signs."""
MEETING_STAGES = frozenset({S.COLLECTING, S.DELIBERATING, S.VOTING, S.PUBLISHED})

KIND_LABELS = {
    Topic.Outcome.DECISION: _("决定"),
    Topic.Outcome.CONVENTION: _("公约"),
}
MEETING_LABELS = {
    Meeting.Kind.HOUSEHOLD_HEADS: _("户长会"),
    Meeting.Kind.HEARING: _("民情恳谈会"),
    Meeting.Kind.COUNCIL: _("议事会"),
}


# Numbers and articles ------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """An article's number: 1 → 一, 10 → 十, 14 → 十四, 40 → 四十, 105 → 一百零五."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else chinese_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail  # 一百一十五, not 一百十五
    return _DIGITS[n // 100] + "百" + tail


def article_label(n: int) -> str:
    """第一条, 第十四条."""
    return _("第{n}条").format(n=chinese_number(n))


_NUMERAL = r"[0-9０-９零〇一二三四五六七八九十百两]+"
_TYPED_NUMBER = re.compile(
    r"^\s*(?:"
    rf"第\s*{_NUMERAL}\s*条[\s:：、，,.．]*"  # 第一条 / 第14条：
    rf"|[(（]\s*{_NUMERAL}\s*[)）][\s、，,.．]*"  # （一） (1)
    rf"|{_NUMERAL}\s*(?:[、)）]|[.．](?![0-9０-９]))\s*"  # 一、 1. 1） (not 1.5 米)
    r")"
)


def strip_number(line: str) -> str:
    """An article as typed, without the number someone typed before it."""
    return _TYPED_NUMBER.sub("", line, count=1).strip()


def articles_from_text(text: str) -> list[str]:
    """A pasted text, one article per line, each without its typed number (第一条, 1., 一、,
    （一）); blank lines left out. The numbers are the site's to give."""
    found = []
    for line in text.splitlines():
        article = clean_name(strip_number(clean_name(line)))
        if article:
            found.append(article)
    return found


# Changes -------------------------------------------------------------------------------------


def _may_edit(topic: dict[str, Any]) -> bool:
    status = S(topic["status"])
    return status in EDITABLE or (
        status is S.PUBLISHED and topic["outcome"] == Topic.Outcome.CONVENTION
    )


async def _fresh(topic_id: int) -> dict[str, Any]:
    """The topic's stage and outcome, with how many articles and signatures it has, read
    inside the transaction after service.touch has taken its row."""
    rows = await Topic.raw(
        "SELECT t.status, t.outcome,"
        " (SELECT COUNT(*) FROM article a WHERE a.topic = t.id) AS articles,"
        " (SELECT COUNT(*) FROM signature s WHERE s.topic = t.id) AS signatures"
        " FROM topic t WHERE t.id = {}",
        topic_id,
    )
    return rows[0]


async def set_articles(
    viewer: Viewer, topic: dict[str, Any], texts: Sequence[str], now: datetime
) -> int:
    """The convention's articles, numbered 1..n in the order given, in place of those before;
    by a moderator, while the topic is discussed or voted on, or once it is published as a
    convention until the first resident signs. Returns how many there are."""
    if not service.standing(viewer, topic).is_moderator:
        raise NotAllowed(_("只有社区工作者和议事会成员可以修改公约条文。"))
    if not _may_edit(topic):
        raise InvalidTransition(
            _("公约条文在讨论协商、表决时起草，公示为公约后还没人签署前可以修改。")
        )
    articles = [clean_name(t) for t in texts if clean_name(t)]
    if not articles:
        raise Invalid({"articles": _("请至少写一条，每行一条。")})
    if len(articles) > MAX_ARTICLES:
        raise Invalid(
            {
                "articles": _("公约最多 {n} 条，现在是 {m} 条。").format(
                    n=MAX_ARTICLES, m=len(articles)
                )
            }
        )
    for number, article in enumerate(articles, 1):
        if problem := too_long(article, MAX_ARTICLE):
            raise Invalid({"articles": f"{article_label(number)}：{problem}"})
    async with write_transaction(Topic._meta.db):
        await service.touch(topic["id"])
        fresh = await _fresh(topic["id"])
        if not _may_edit(fresh):
            raise InvalidTransition(_("这个议题刚刚有了变化，请刷新后再看。"))
        if fresh["signatures"]:
            raise InvalidTransition(_("已经有居民签署了这份公约，条文不能再改。"))
        await Article.delete().where(Article.topic == topic["id"])
        await Article.insert(
            *(
                Article(topic=topic["id"], number=number, text=article)
                for number, article in enumerate(articles, 1)
            )
        )
    return len(articles)


class AlreadySigned(InvalidTransition):
    """The person signed this convention before: when, for the answer."""

    def __init__(self, signed_at: datetime) -> None:
        shown = local(signed_at) or signed_at
        super().__init__(
            _("您已于 {date} 签署过这份公约，谢谢。").format(date=f"{shown:%Y年%m月%d日}")
        )
        self.signed_at = signed_at


def why_not_sign(topic: dict[str, Any], standing: Standing, articles: int) -> str:
    """Why this person may not sign the topic's convention now, in Chinese; "" when they may
    (having signed already is not checked here)."""
    if S(topic["status"]) is not S.PUBLISHED:
        return _("公约公示后才能签署。")
    if topic["outcome"] != Topic.Outcome.CONVENTION:
        return _("这个议题的结果是一项决定，不需要签署。")
    if not articles:
        return _("公约条文还在整理，整理好后就能签署。")
    if standing.viewer is None:
        return _("登录后就能签署。")
    if not standing.takes_part:
        return standing.why_not
    return ""


async def sign(viewer: Viewer, topic: dict[str, Any], now: datetime) -> datetime:
    """A resident in the topic's scope signs its published convention: once. Returns when
    they signed; raises AlreadySigned (with the date) when they had signed before."""
    who = service.standing(viewer, topic)
    why = why_not_sign(topic, who, articles=1)  # the articles are counted below
    if why:
        raise NotAllowed(why)
    key = f"{topic['id']}:{viewer.id}"
    async with write_transaction(Topic._meta.db):
        await service.touch(topic["id"])
        fresh = await _fresh(topic["id"])
        why = why_not_sign({**topic, **fresh}, who, fresh["articles"])
        if why:
            raise NotAllowed(why)
        made = (
            await Signature.insert(
                Signature(topic=topic["id"], person=viewer.id, key=key, signed_at=now)
            )
            .on_conflict(target=Signature.key, action="DO NOTHING")
            .returning(Signature.id)
        )
        if not made:
            before = await Signature.select(Signature.signed_at).where(Signature.key == key).first()
            raise AlreadySigned(before["signed_at"] if before else now)  # rolls back the touch
    return now


def _meeting_day(held_on: date | str, now: datetime) -> date | str:
    """The day as a date, or the message of why it is not one we record."""
    day: date | None = held_on if isinstance(held_on, date) else None
    if isinstance(held_on, str):
        typed = unicodedata.normalize("NFKC", held_on).strip()
        if not typed:
            return _("请填写开会的日期。")
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", typed)
        try:
            day = date(*(int(part) for part in match.groups())) if match else None
        except ValueError:
            day = None
    if day is None:
        return _("请按“2026-12-20”的样子填写日期。")
    today = (local(now) or now).date()
    if day > today + timedelta(days=MEETING_DAYS_AHEAD):
        return _("开会日期最多填到 {n} 天以后。").format(n=MEETING_DAYS_AHEAD)
    if day < EARLIEST_MEETING:
        return _("这个日期太早了，请核对开会的日期。")
    return day


async def record_meeting(
    viewer: Viewer,
    topic: dict[str, Any],
    kind: str,
    held_on: date | str,
    place: str,
    attended: int | str | None,
    minutes: str,
    now: datetime,
) -> int:
    """A moderator records a meeting held on the topic: its kind, day (as typed, or a date),
    place, how many came and the minutes. Returns the meeting's id."""
    if not service.standing(viewer, topic).is_moderator:
        raise NotAllowed(_("只有社区工作者和议事会成员可以记录会议。"))
    if S(topic["status"]) not in MEETING_STAGES:
        raise InvalidTransition(_("议题受理以后才能记录会议。"))
    errors: dict[str, str] = {}
    chosen = next((k for k in Meeting.Kind if k.value == kind), None)
    if chosen is None:
        errors["kind"] = _("请选择会议的种类。")
    day = _meeting_day(held_on, now)
    if isinstance(day, str):
        errors["held_on"] = day
    place = clean_name(place)
    if problem := too_long(place, MAX_PLACE):
        errors["place"] = problem
    if isinstance(attended, str):
        typed = unicodedata.normalize("NFKC", attended).strip()
        attended = int(typed) if re.fullmatch(r"\d{1,6}", typed) else (0 if not typed else -1)
    if attended is None:
        attended = 0
    if not 0 <= attended <= MAX_ATTENDED:
        errors["attended"] = _("参会人数请填写 0 到 {n} 之间的整数。").format(n=MAX_ATTENDED)
    minutes = minutes.replace("\r\n", "\n").strip()
    if problem := too_long(minutes, MAX_MINUTES):
        errors["minutes"] = problem
    if errors or not isinstance(day, date) or chosen is None:
        raise Invalid(errors)
    async with write_transaction(Topic._meta.db):
        await service.touch(topic["id"])
        rows = await Meeting.insert(
            Meeting(
                topic=topic["id"],
                kind=chosen,
                held_on=day,
                place=place,
                attended=attended,
                minutes=minutes,
                recorded_by=viewer.id,
                recorded_at=now,
            )
        ).returning(Meeting.id)
    return rows[0]["id"]


# What pages show -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRow:
    number: int
    label: str  # 第一条
    text: str


@dataclass(frozen=True)
class OutcomeView:
    """The outcome as the topic page shows it to one viewer. Signers are only counted: no
    name is ever shown."""

    kind: Topic.Outcome | None
    """None while the convention is a draft (the topic not published yet)."""
    kind_label: str
    text: str
    articles: list[ArticleRow]
    signatures: int
    signed_at: datetime | None
    """When the viewer signed; None when they have not."""
    may_sign: bool
    why_not: str
    """Why the viewer may not sign, in Chinese ("" when they may, or have signed)."""
    may_edit: bool
    """The viewer may write the articles now (a moderator, before anyone signed)."""

    @property
    def published(self) -> bool:
        return self.kind is not None

    @property
    def is_convention(self) -> bool:
        return self.kind is not Topic.Outcome.DECISION

    @property
    def articles_text(self) -> str:
        """The articles one per line, for the moderators' form."""
        return "\n".join(a.text for a in self.articles)


def _moment(value: Any) -> datetime | None:
    """A timestamp read by raw SQL: a datetime on PostgreSQL, text on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def view(topic: dict[str, Any], standing: Standing) -> OutcomeView | None:
    """The outcome for the topic page, or None when there is none to show this viewer yet
    (no outcome and no draft articles, and not a moderator who may write them). At most one
    query: the articles with the signature count and the viewer's own signature beside them."""
    status = S(topic["status"])
    published = status is S.PUBLISHED
    if not published and status not in EDITABLE:
        return None
    kind = Topic.Outcome(topic["outcome"]) if published else None
    may_edit = standing.is_moderator and (not published or kind is Topic.Outcome.CONVENTION)
    articles: list[ArticleRow] = []
    signatures = 0
    signed_at = None
    # No articles (the topic page counts them beside the topic): no signatures either.
    if kind is not Topic.Outcome.DECISION and topic.get("articles_written", 1):
        viewer_id = standing.viewer.id if standing.viewer else 0
        rows = await Article.raw(
            "SELECT a.number, a.text,"
            " (SELECT COUNT(*) FROM signature s WHERE s.topic = a.topic) AS signatures,"
            " (SELECT s.signed_at FROM signature s WHERE s.key = {}) AS mine"
            " FROM article a WHERE a.topic = {} ORDER BY a.number",
            f"{topic['id']}:{viewer_id}",
            topic["id"],
        )
        articles = [ArticleRow(r["number"], article_label(r["number"]), r["text"]) for r in rows]
        if rows:
            signatures = rows[0]["signatures"]
            signed_at = _moment(rows[0]["mine"]) if standing.viewer else None
    if not published and not articles and not may_edit:
        return None
    may_edit = may_edit and signatures == 0
    why_not = "" if signed_at else why_not_sign(topic, standing, len(articles))
    return OutcomeView(
        kind=kind,
        kind_label=KIND_LABELS[kind] if kind else _("公约草案"),
        text=topic["outcome_text"] if published else "",
        articles=articles,
        signatures=signatures,
        signed_at=signed_at,
        may_sign=kind is Topic.Outcome.CONVENTION and not signed_at and not why_not,
        why_not=why_not if kind is not Topic.Outcome.DECISION else "",
        may_edit=may_edit,
    )


@dataclass(frozen=True)
class MeetingRow:
    id: int
    kind: str
    kind_label: str
    held_on: date
    place: str
    attended: int
    minutes: str


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def meetings(topic: dict[str, Any]) -> list[MeetingRow]:
    """The meetings held on the topic, earliest first: one query."""
    rows = (
        await Meeting.select(
            Meeting.id,
            Meeting.kind,
            Meeting.held_on,
            Meeting.place,
            Meeting.attended,
            Meeting.minutes,
        )
        .where(Meeting.topic == topic["id"])
        .order_by(Meeting.held_on)
        .order_by(Meeting.id)
    )
    return [
        MeetingRow(
            r["id"],
            r["kind"],
            MEETING_LABELS.get(Meeting.Kind(r["kind"]), r["kind"]),
            _day(r["held_on"]),
            r["place"],
            r["attended"],
            r["minutes"],
        )
        for r in rows
    ]
