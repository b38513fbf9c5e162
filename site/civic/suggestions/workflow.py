"""A case's states, and the verbs that move it: who may use each, from which states, to which,
declared for civic.workflow and read by the service and by the templates that decide which
buttons to show."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from piccolo.columns.combination import Combinable

from civic.settings import CaseClocks
from civic.suggestions import notify
from civic.suggestions.tables import Case, CaseEvent
from civic.web.i18n import _
from civic.workflow import Deadline, Group, State, Workflow, move

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


WORKING = {S.ACCEPTED, S.IN_PROGRESS}


def _unrated_too_long(now: datetime, clocks: CaseClocks | None) -> Combinable:
    days = (clocks or CaseClocks()).autoclose_days
    return Case.feedback_at < now - timedelta(days=days)


CASES = Workflow(
    table=Case,
    events=CaseEvent,
    subject="case",
    states=[
        State(S.SUBMITTED, _("待受理"), Group.OPEN),
        State(S.ACCEPTED, _("已受理"), Group.OPEN),
        State(S.IN_PROGRESS, _("办理中"), Group.OPEN),
        State(S.ESCALATED, _("已吹哨"), Group.OPEN),
        State(S.FEEDBACK, _("已反馈"), Group.WAITING, Case.feedback_at),
        State(S.CLOSED, _("已办结"), Group.DONE, Case.closed_at),
        State(S.REJECTED, _("不予受理"), Group.CLOSED),
        State(S.MERGED, _("已合并"), Group.CLOSED),
    ],
    moves=[
        move(Verb.ACCEPT, {S.SUBMITTED}, S.ACCEPTED, {Party.HOLDER}, _("受理"), primary=True),
        move(
            Verb.REPLY,
            {S.SUBMITTED, *WORKING},
            None,
            {Party.HOLDER},
            _("回复"),
            needs_note=True,
        ),
        move(Verb.START, {S.ACCEPTED}, S.IN_PROGRESS, {Party.HOLDER}, _("开始办理"), primary=True),
        move(
            Verb.ESCALATE,
            {S.SUBMITTED, *WORKING},
            S.ESCALATED,
            {Party.HOLDER},
            _("吹哨上报"),
            needs_note=True,
        ),
        move(Verb.TAKE, {S.ESCALATED}, S.IN_PROGRESS, {Party.HOLDER}, _("报到接办"), primary=True),
        move(
            Verb.HAND_BACK,
            {S.ESCALATED, *WORKING},
            S.IN_PROGRESS,
            {Party.HOLDER},
            _("退回并指导"),
            needs_note=True,
        ),
        move(
            Verb.ANSWER,
            WORKING,
            S.FEEDBACK,
            {Party.HOLDER},
            _("反馈结果"),
            needs_note=True,
            primary=True,
        ),
        move(
            Verb.REJECT,
            {S.SUBMITTED, S.ACCEPTED},
            S.REJECTED,
            {Party.HOLDER},
            _("不予受理"),
            needs_note=True,
            confirm=_(
                "不予受理后，这件事就此关闭，不能再办理；反映人会看到您写的原因和该去哪里办。"
            ),
        ),
        move(
            Verb.MERGE,
            {S.SUBMITTED, *WORKING},
            S.MERGED,
            {Party.HOLDER},
            _("合并到原案件"),
            confirm=_("合并后，这件事关闭，到原案件里一起办理；反映人会看到原案件的查询码。"),
        ),
        move(Verb.RATE, {S.FEEDBACK}, S.CLOSED, {Party.FILER}, _("评价")),
        move(Verb.REOPEN, {S.FEEDBACK}, S.IN_PROGRESS, {Party.FILER}, _("不满意，重新办理")),
        move(Verb.EXPIRE, {S.FEEDBACK}, S.CLOSED, {Party.CLOCK}, _("7 天未评价，自动办结")),
        move(
            Verb.ADOPT,
            {S.SUBMITTED, *WORKING, S.ESCALATED, S.FEEDBACK, S.CLOSED},
            None,
            {Party.COMMUNITY},
            _("采纳建议"),
        ),
    ],
    deadlines=[Deadline(Verb.EXPIRE, S.FEEDBACK, _unrated_too_long)],
    lost=_("这件事刚刚有了变化，请刷新后再看。"),
    notify=notify.on_move,
)

MOVES = CASES.moves
STATUS_LABELS = CASES.labels()
OPEN = CASES.group(Group.OPEN)
"""States in which the case waits for staff and a clock runs."""
VERB_LABELS = {Verb.FILE: _("提交"), **{Verb(m.name): m.label for m in MOVES.values()}}

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

ANY_LEVEL = frozenset(L)
AT_LEVELS: dict[str, frozenset[L]] = {
    Verb.ESCALATE: frozenset({L.COMMUNITY, L.STREET}),  # a department has no one above it
    Verb.HAND_BACK: frozenset({L.STREET, L.DEPARTMENT}),  # the community is the first desk
    Verb.REJECT: frozenset({L.COMMUNITY}),  # once summoned, a case goes back down, not away
    Verb.MERGE: frozenset({L.COMMUNITY}),
}
"""Where a case must be for a staff step to succeed (the service refuses it elsewhere): a
step not listed may be taken at any level. Pages offer only what can succeed."""


def staff_steps(
    status: S | str, level: L | str, parties: set[Party]
) -> tuple[list[Verb], list[Verb]]:
    """The staff steps these parties can take now, at the level the case is held: the
    primary ones (what carries the case on, offered first), and the rest (更多操作)."""
    moves = [
        m
        for m in CASES.available(status, parties)
        if m.name not in FILER_VERBS and level in AT_LEVELS.get(m.name, ANY_LEVEL)
    ]
    return (
        [Verb(m.name) for m in moves if m.primary],
        [Verb(m.name) for m in moves if not m.primary],
    )


def one_tap(status: S | str, level: L | str) -> Verb | None:
    """The step a work queue offers on a row as one tap: the first primary step of the desk
    holding the case that needs nothing typed."""
    primary, _more = staff_steps(status, level, {Party.HOLDER})
    return next((v for v in primary if not MOVES[v].needs_note), None)


def confirm_text(verb: str) -> str:
    """What a step that loses something says before it is made; "" when it asks no more."""
    found = MOVES.get(verb)
    return found.confirm if found else ""


_DONE = {
    Verb.REJECT: _("已决定不予受理，反映人会看到原因。"),
    Verb.MERGE: _("已合并到原案件。"),
    Verb.RATE: _("谢谢您的评价。"),
    Verb.REOPEN: _("已记下您不满意，这件事会重新办理。"),
}


def done_notice(verb: str) -> str:
    """What the page says after a step, made from the step's label."""
    if verb in _DONE:
        return _DONE[Verb(verb)]
    found = MOVES.get(verb)
    return _("已{step}。").format(step=found.label) if found and found.label else ""
