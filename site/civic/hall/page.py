"""The topic page, put together from its parts: the topic and its stage (here), its posts,
its vote, its outcome and its meetings (each from its own module), for one viewer. The parts
are loaded in a fixed number of queries whatever the number of posts or votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request

from civic.accounts.viewer import Viewer
from civic.hall import outcome, posts, queries, votes
from civic.hall.tables import Topic, TopicEvent
from civic.hall.workflow import STAGES, STATUS_LABELS, TOPICS, S, Verb
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.pages import now_of, told_done

STAMPS = {
    S.COLLECTING: "accepted_at",
    S.DELIBERATING: "deliberating_at",
    S.VOTING: "voting_at",
    S.PUBLISHED: "published_at",
}
DONE_WORDS = {
    Verb.OPEN: _("议题已发起，开始征集需求。"),
    Verb.PROPOSE: _("已提交。社区工作者或议事会成员受理后，议题就会公开，您会收到消息。"),
    Verb.ACCEPT: _("已受理，议题开始征集需求。"),
    Verb.DECLINE: _("已不予受理，提出人会收到原因。"),
    Verb.DELIBERATE: _("已进入讨论协商。"),
    Verb.OPEN_VOTE: _("表决已开始。"),
    Verb.PUBLISH: _("结果已公示。"),
    Verb.SET_UP: _("表决设置已保存。"),
    "vote": _("已投票，谢谢参与。"),
}
"""What the topic page says after each step taken on it (web.pages.tell_done)."""
ENDS = {S.COLLECTING: "collect_until", S.DELIBERATING: "deliberate_until", S.VOTING: "vote_until"}


@dataclass(frozen=True)
class Stage:
    label: str
    state: str  # "done", "now" or "next"
    started: datetime | None
    ends: datetime | None


def stages(topic: dict[str, Any]) -> list[Stage]:
    """The stage line: which stages are behind, which one is now, which are ahead; a topic
    without a vote skips 表决."""
    current = S(topic["status"])
    shown = [s for s in STAGES if s is not S.VOTING or topic["has_vote"] or current is S.VOTING]
    line = []
    reached = current in shown
    passed = True
    for s in shown:
        if s is current:
            state, passed = "now", False
        else:
            state = "done" if passed and reached else "next"
        line.append(
            Stage(STATUS_LABELS[s], state, topic.get(STAMPS[s]), topic.get(ENDS.get(s, "")))
        )
    return line


async def _decline_reason(topic: dict[str, Any]) -> str:
    row = (
        await TopicEvent.select(TopicEvent.note)
        .where((TopicEvent.topic == topic["id"]) & (TopicEvent.verb == Verb.DECLINE))
        .order_by(TopicEvent.id, ascending=False)
        .first()
    )
    return row["note"] if row else ""


async def topic_context(
    request: Request,
    viewer: Viewer | None,
    slug: str,
    topic_id: int,
    page: int,
    *,
    form: Form | None = None,
) -> dict[str, Any]:
    community, topic, standing = await queries.topic_for(slug, topic_id, viewer)
    now = now_of(request)
    current = S(topic["status"])
    done = told_done(request, f"/c/{slug}/hall/{topic_id}/")
    moves = [
        m
        for m in TOPICS.available(current, standing.parties)
        if m.name != Verb.SET_UP and (m.name != Verb.OPEN_VOTE or topic["has_vote"])
    ]
    return {
        "posts": await posts.page(topic, standing, page, now),
        "vote": await votes.view(topic, standing, now),
        "outcome": await outcome.view(topic, standing),
        "meetings": await outcome.meetings(topic) if topic["meetings_held"] else [],
        "community": community,
        "topic": topic,
        "standing": standing,
        "label": STATUS_LABELS[current],
        "stages": stages(topic),
        "left": queries.time_left(queries.stage_end(topic), now),
        "moves": moves,
        "may_set_up": TOPICS.allowed(Verb.SET_UP, current, standing.parties)
        and current is not S.VOTING,
        "declined": await _decline_reason(topic) if current is S.DECLINED else "",
        "form": form or Form(),
        "done": DONE_WORDS.get(done, ""),
        "page": page,
        "now": now,
        "outcomes": [
            (Topic.Outcome.DECISION.value, _("决定")),
            (Topic.Outcome.CONVENTION.value, _("公约（分条写明）")),
        ],
        "countings": [
            (Topic.Counting.PERSON.value, _("每位居民一票")),
            (Topic.Counting.HOUSEHOLD.value, _("每户一票（本户任一已确认的居民投，先投为准）")),
            (Topic.Counting.HEAD.value, _("每户一票（由户长投）")),
        ],
        "thresholds": [
            (Topic.Threshold.MAJORITY.value, _("参与投票的过半数同意")),
            (
                Topic.Threshold.SPECIAL.value,
                _(
                    "改建、重建等（民法典第二百七十八条）：参与的面积和户数各过三分之二，其中同意的面积和户数各达四分之三"
                ),
            ),
            (
                Topic.Threshold.ORDINARY.value,
                _(
                    "其他共同事项（民法典第二百七十八条）：参与的面积和户数各过三分之二，其中同意的面积和户数各过半数"
                ),
            ),
        ],
    }
