"""A case's states, and the verbs that move it: who may use each, from which states, to which.
One table, read by the service and by the templates that decide which buttons to show."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from civic.suggestions.tables import Case

S = Case.Status
L = Case.Level


class Party(StrEnum):
    """How the person acting stands to the case."""

    HOLDER = "holder"  # acts for whoever holds the case now: community, street or department
    COMMUNITY = "community"  # staff of the case's community (or the representative addressed)
    FILER = "filer"  # who filed it, or proved to be them with the code and their phone
    CLOCK = "clock"  # 7 days after feedback without a rating


class Verb(StrEnum):
    FILE = "file"  # the case arrives: not a move, the first line of the history
    ACCEPT = "accept"  # 受理
    REPLY = "reply"  # a public reply; counts as the first response
    START = "start"  # 办理
    ESCALATE = "escalate"  # 吹哨: up to the street, or from the street to a department
    TAKE = "take"  # 报到: the street or department accepts the summons and acts
    HAND_BACK = "hand_back"  # the summoned side hands it back down with instructions
    ANSWER = "answer"  # 反馈
    REJECT = "reject"
    MERGE = "merge"
    RATE = "rate"  # 一事一评: 满意 / 基本满意, or 不满意 a second time
    REOPEN = "reopen"  # 不满意 the first time
    EXPIRE = "expire"  # closed unrated
    ADOPT = "adopt"  # 采纳


@dataclass(frozen=True)
class Move:
    sources: frozenset[S]
    target: S | None  # None: the state stays
    parties: frozenset[Party]
    needs_note: bool = False


def _m(sources: set[S], target: S | None, parties: set[Party], needs_note: bool = False) -> Move:
    return Move(frozenset(sources), target, frozenset(parties), needs_note)


WORKING = {S.ACCEPTED, S.IN_PROGRESS}
OPEN = (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED)
"""States in which the case waits for staff and a clock runs."""
DONE = (S.CLOSED, S.REJECTED, S.MERGED)

MOVES: dict[Verb, Move] = {
    Verb.ACCEPT: _m({S.SUBMITTED}, S.ACCEPTED, {Party.HOLDER}),
    Verb.REPLY: _m({S.SUBMITTED, *WORKING}, None, {Party.HOLDER}, needs_note=True),
    Verb.START: _m({S.ACCEPTED}, S.IN_PROGRESS, {Party.HOLDER}),
    Verb.ESCALATE: _m({S.SUBMITTED, *WORKING}, S.ESCALATED, {Party.HOLDER}, needs_note=True),
    Verb.TAKE: _m({S.ESCALATED}, S.IN_PROGRESS, {Party.HOLDER}),
    Verb.HAND_BACK: _m({S.ESCALATED, *WORKING}, S.IN_PROGRESS, {Party.HOLDER}, needs_note=True),
    Verb.ANSWER: _m(WORKING, S.FEEDBACK, {Party.HOLDER}, needs_note=True),
    Verb.REJECT: _m({S.SUBMITTED, S.ACCEPTED}, S.REJECTED, {Party.HOLDER}, needs_note=True),
    Verb.MERGE: _m({S.SUBMITTED, *WORKING}, S.MERGED, {Party.HOLDER}),
    Verb.RATE: _m({S.FEEDBACK}, S.CLOSED, {Party.FILER}),
    Verb.REOPEN: _m({S.FEEDBACK}, S.IN_PROGRESS, {Party.FILER}),
    Verb.EXPIRE: _m({S.FEEDBACK}, S.CLOSED, {Party.CLOCK}),
    Verb.ADOPT: _m({*OPEN, S.FEEDBACK, S.CLOSED}, None, {Party.COMMUNITY}),
}

STAMPS = {
    S.FEEDBACK: Case.feedback_at,
    S.CLOSED: Case.closed_at,
}
"""The timestamp each state sets when a case enters it."""

STATUS_LABELS = {
    S.SUBMITTED: "待受理",
    S.ACCEPTED: "已受理",
    S.IN_PROGRESS: "办理中",
    S.ESCALATED: "已吹哨",
    S.FEEDBACK: "已反馈",
    S.CLOSED: "已办结",
    S.REJECTED: "不予受理",
    S.MERGED: "已合并",
}

VERB_LABELS = {
    Verb.FILE: "提交",
    Verb.ACCEPT: "受理",
    Verb.REPLY: "回复",
    Verb.START: "开始办理",
    Verb.ESCALATE: "吹哨上报",
    Verb.TAKE: "报到接办",
    Verb.HAND_BACK: "退回并指导",
    Verb.ANSWER: "反馈结果",
    Verb.REJECT: "不予受理",
    Verb.MERGE: "合并到原案件",
    Verb.RATE: "评价",
    Verb.REOPEN: "不满意，重新办理",
    Verb.EXPIRE: "7 天未评价，自动办结",
    Verb.ADOPT: "采纳建议",
}

LEVEL_LABELS = {L.COMMUNITY: "社区", L.STREET: "街道", L.DEPARTMENT: "职能部门"}

RATING_LABELS = {
    Case.Rating.SATISFIED: "满意",
    Case.Rating.FAIRLY: "基本满意",
    Case.Rating.UNSATISFIED: "不满意",
}

INTERNAL = frozenset({Verb.ESCALATE, Verb.HAND_BACK})
"""Notes passed between community, street and department: staff see them, the public not."""


FILER_VERBS = frozenset({Verb.FILE, Verb.RATE, Verb.REOPEN, Verb.EXPIRE})
"""Steps that are not taken from a staff desk."""


def allowed(verb: Verb, current: S, parties: set[Party]) -> bool:
    move = MOVES.get(verb)
    return move is not None and current in move.sources and bool(move.parties & parties)
