"""A topic's stages and the moves between them, as data for civic.workflow: read by the service
and by the templates that decide which buttons to show.

    (resident proposes) PROPOSED ─accept─▶ COLLECTING ─deliberate─▶ DELIBERATING ─open_vote─▶ VOTING
                           │               (staff open)                    │                 │
                        decline                                         publish           publish
                           ▼                                               ▼                 ▼
                        DECLINED                                        PUBLISHED ◀──────────┘
"""

from __future__ import annotations

from enum import StrEnum

from civic.hall import notify
from civic.hall.tables import Topic, TopicEvent
from civic.web.i18n import _
from civic.workflow import Group, State, Workflow, move

S = Topic.Status


class Party(StrEnum):
    """How the person acting stands to the topic."""

    MODERATOR = "moderator"  # community staff, or a council member (议事会成员), of its community
    PROPOSER = "proposer"  # the resident who proposed it
    PARTICIPANT = "participant"  # a resident in its scope: may post, vote, sign


class Verb(StrEnum):
    PROPOSE = "propose"  # a resident proposes: not a move, the first line of the history
    OPEN = "open"  # staff open a topic themselves: the first line too
    ACCEPT = "accept"
    DECLINE = "decline"
    DELIBERATE = "deliberate"  # 征集需求 → 讨论协商
    OPEN_VOTE = "open_vote"  # 讨论协商 → 表决
    PUBLISH = "publish"  # → 公示, with the outcome written
    SET_UP = "set_up"  # the stages' end dates and the vote's settings changed; the stage stays


TOPICS = Workflow(
    table=Topic,
    events=TopicEvent,
    subject="topic",
    states=[
        State(S.PROPOSED, _("待受理"), Group.HIDDEN),
        State(S.COLLECTING, _("征集需求"), Group.OPEN, Topic.accepted_at),
        State(S.DELIBERATING, _("讨论协商"), Group.OPEN, Topic.deliberating_at),
        State(S.VOTING, _("表决"), Group.OPEN, Topic.voting_at),
        State(S.PUBLISHED, _("公示"), Group.DONE, Topic.published_at),
        State(S.DECLINED, _("未受理"), Group.CLOSED, Topic.closed_at),
    ],
    moves=[
        move(Verb.ACCEPT, {S.PROPOSED}, S.COLLECTING, {Party.MODERATOR}, _("受理并开始征集")),
        move(
            Verb.DECLINE,
            {S.PROPOSED},
            S.DECLINED,
            {Party.MODERATOR},
            _("不予受理"),
            needs_note=True,
        ),
        move(Verb.DELIBERATE, {S.COLLECTING}, S.DELIBERATING, {Party.MODERATOR}, _("进入讨论协商")),
        move(Verb.OPEN_VOTE, {S.DELIBERATING}, S.VOTING, {Party.MODERATOR}, _("开始表决")),
        move(
            Verb.PUBLISH,
            {S.COLLECTING, S.DELIBERATING, S.VOTING},
            S.PUBLISHED,
            {Party.MODERATOR},
            _("公示结果"),
        ),
        move(
            Verb.SET_UP,
            {S.PROPOSED, S.COLLECTING, S.DELIBERATING, S.VOTING},
            None,
            {Party.MODERATOR},
            _("修改议题设置"),
        ),
    ],
    lost=_("这个议题刚刚有了变化，请刷新后再看。"),
    notify=notify.on_move,
)

STATUS_LABELS = TOPICS.labels()
OPEN = TOPICS.group(Group.OPEN)
"""Stages in which residents take part."""
LISTED = (*OPEN, *TOPICS.group(Group.DONE))
"""What the public hall lists: proposals and declined ones are the proposer's and staff's."""
VERB_LABELS = {
    Verb.PROPOSE: _("提出议题"),
    Verb.OPEN: _("发起议题"),
    **{Verb(m.name): m.label for m in TOPICS.moves.values()},
}
STAGES = (S.COLLECTING, S.DELIBERATING, S.VOTING, S.PUBLISHED)
"""The stages a topic goes through, in order, for the page's stage line."""
