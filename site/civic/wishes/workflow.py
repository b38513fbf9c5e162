"""A wish's states and moves, and a helper's report (报到): who may make each move, as data
for civic.workflow, read by the service and by the templates that decide which button to show."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from piccolo.columns.combination import Combinable

from civic.web.i18n import _
from civic.wishes import notify
from civic.wishes.tables import Helper, HelperEvent, Wish, WishEvent
from civic.workflow import Deadline, Group, Move, State, Workflow, move

S = Wish.Status
H = Helper.Status


class Party(StrEnum):
    """How the person acting stands to the wish (or to the report)."""

    STAFF = "staff"  # community staff of the wish's community
    OWNER = "owner"  # the beneficiary, or whoever posted it for them
    HELPER = "helper"  # a verified party member or organisation of the community
    CLAIMER = "claimer"  # the helper holding the claim
    BENEFICIARY = "beneficiary"
    CLOCK = "clock"  # the claim's deadline passed
    REVOCATION = "revocation"  # staff revoked the claimer's verification


class Verb(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    CLAIM = "claim"
    RELEASE = "release"  # the claimer gives the wish back
    EXPIRE = "expire"  # the claim's deadline passed
    REVOKE = "revoke"  # the claimer's verification was revoked
    FULFIL = "fulfil"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"


def _claim_expired(now: datetime, _context: Any) -> Combinable:
    return Wish.claim_deadline < now


UNCLAIM = {Wish.claimed_by: None, Wish.claim_deadline: None}
"""What a claim leaves on the wish when it ends without a fulfilment."""

WISHES = Workflow(
    table=Wish,
    events=WishEvent,
    subject="wish",
    states=[
        State(S.SUBMITTED, _("待审核"), Group.OPEN),
        State(S.RETURNED, _("退回修改"), Group.OPEN),
        State(S.PUBLISHED, _("待认领"), Group.OPEN, Wish.published_at),
        State(S.CLAIMED, _("已认领"), Group.OPEN, Wish.claimed_at),
        State(S.FULFILLED, _("已实现"), Group.OPEN, Wish.fulfilled_at),
        State(S.CONFIRMED, _("已确认"), Group.DONE, Wish.confirmed_at, since=Wish.published_at),
        State(S.REJECTED, _("未通过"), Group.CLOSED),
        State(S.WITHDRAWN, _("已撤回"), Group.CLOSED),
    ],
    moves=[
        move(
            Verb.APPROVE, {S.SUBMITTED}, S.PUBLISHED, {Party.STAFF}, _("通过并发布"), primary=True
        ),
        move(Verb.RETURN, {S.SUBMITTED}, S.RETURNED, {Party.STAFF}, _("退回修改"), needs_note=True),
        move(Verb.REJECT, {S.SUBMITTED}, S.REJECTED, {Party.STAFF}, _("不予发布"), needs_note=True),
        move(
            Verb.RESUBMIT,
            {S.RETURNED},
            S.SUBMITTED,
            {Party.OWNER, Party.STAFF},
            _("重新提交"),
            primary=True,
        ),
        move(Verb.CLAIM, {S.PUBLISHED}, S.CLAIMED, {Party.HELPER}, _("我来认领"), primary=True),
        move(
            Verb.RELEASE,
            {S.CLAIMED},
            S.PUBLISHED,
            {Party.CLAIMER},
            _("放弃认领"),
            confirm=_("放弃后，这个心愿回到心愿树上，别人可以认领；您不再是认领人。"),
        ),
        move(Verb.EXPIRE, {S.CLAIMED}, S.PUBLISHED, {Party.CLOCK}),
        move(Verb.REVOKE, {S.CLAIMED}, S.PUBLISHED, {Party.REVOCATION}),
        move(
            Verb.FULFIL,
            {S.CLAIMED},
            S.FULFILLED,
            {Party.CLAIMER},
            _("我已完成心愿"),
            primary=True,
        ),
        move(
            Verb.CONFIRM,
            {S.FULFILLED},
            S.CONFIRMED,
            {Party.BENEFICIARY, Party.STAFF},
            _("确认已收到"),
            primary=True,
        ),
        move(
            Verb.WITHDRAW,
            {S.SUBMITTED, S.RETURNED, S.PUBLISHED},
            S.WITHDRAWN,
            {Party.OWNER, Party.STAFF},
            _("撤回心愿"),
            confirm=_("撤回后，这个心愿不再显示在心愿树上，也不能再认领；想要帮助，需要重新许愿。"),
        ),
    ],
    deadlines=[
        Deadline(
            Verb.EXPIRE,
            S.CLAIMED,
            _claim_expired,
            note=_("认领超过期限，自动回到心愿树。"),
            changes=UNCLAIM,
        )
    ],
    lost=_("这个心愿刚刚有了变化，请刷新后再看。"),
    notify=notify.on_move,
    tally_by=Wish.community,  # the figures per community, street and district (queries.py)
)

STATUS_LABELS = WISHES.labels()

ON_TREE = (S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED)
"""States shown as leaves on the public tree, in the order a wish passes through them."""


def visible(current: S, parties: set[Party]) -> bool:
    """Who may see a wish (its page and its photos): everyone once it is on the tree; before
    that, and after a refusal or withdrawal, its owner and the community's staff."""
    return current in ON_TREE or bool(parties & {Party.STAFF, Party.OWNER})


def sees_person(current: S, parties: set[Party]) -> bool:
    """Who sees the beneficiary's name and phone: the owner and staff always, the claimer
    only while the claim is open (to arrange the help); everyone else a masked name."""
    return bool(parties & {Party.STAFF, Party.OWNER}) or (
        Party.CLAIMER in parties and current is S.CLAIMED
    )


# 报到: a party member's or organisation's report to a community ----------------------------


class ReportVerb(StrEnum):
    VERIFY = "verify"
    REFUSE = "refuse"
    REVOKE = "revoke"


REPORTS = Workflow(
    table=Helper,
    events=HelperEvent,
    subject="helper",
    states=[
        State(H.PENDING, _("等待社区审核"), Group.OPEN),
        State(H.VERIFIED, _("已通过，可以认领心愿"), Group.DONE),
        State(H.REJECTED, _("未通过"), Group.CLOSED),
        State(H.REVOKED, _("已被撤销"), Group.CLOSED),
    ],
    # A refused or revoked report stays so: the member reports again, and staff look afresh.
    moves=[
        move(ReportVerb.VERIFY, {H.PENDING}, H.VERIFIED, {Party.STAFF}, _("通过"), primary=True),
        move(
            ReportVerb.REFUSE, {H.PENDING}, H.REJECTED, {Party.STAFF}, _("不通过"), needs_note=True
        ),
        move(
            ReportVerb.REVOKE,
            {H.VERIFIED},
            H.REVOKED,
            {Party.STAFF},
            _("撤销报到"),
            needs_note=True,
            confirm=_(
                "撤销后，TA 不能再认领本社区的心愿，TA 正在认领的心愿都会回到心愿树上；"
                "要恢复，需要 TA 重新报到、社区重新审核。"
            ),
        ),
    ],
    lost=_("这条报到刚刚有人审核过，请刷新后再看。"),
)


def steps(current: S | str, parties: set[Party]) -> tuple[list[Move[S]], list[Move[S]]]:
    """The moves a wish's page offers these parties now, claiming aside (a button of its
    own): the primary ones first, and the rest (更多操作)."""
    moves = [
        m
        for m in WISHES.available(current, parties)
        if m.target is not None and m.name != Verb.CLAIM
    ]
    return [m for m in moves if m.primary], [m for m in moves if not m.primary]


NEW = "new"
"""Not a move: the wish was posted (what its page says right after)."""

_DONE = {
    NEW: _("心愿已提交。社区工作人员审核后，会挂到心愿树上。"),
    Verb.CLAIM: _("认领好了。请在期限内帮忙实现，做不到可以放弃。"),
    Verb.FULFIL: _("已记下完成情况，等许愿人确认。"),
    Verb.CONFIRM: _("已确认收到，谢谢。"),
    Verb.REJECT: _("已决定不予发布，许愿人会看到原因。"),
    ReportVerb.REFUSE: _("报到未通过，对方会看到原因。"),
    ReportVerb.VERIFY: _("报到已通过，TA 可以认领心愿了。"),
    ReportVerb.REVOKE: _("已撤销报到，TA 认领中的心愿已回到心愿树上。"),
}


def done_notice(verb: str) -> str:
    """What the page says after a step, made from the step's label."""
    if verb in _DONE:
        return _DONE[verb]
    found = WISHES.moves.get(verb)
    return _("已{step}。").format(step=found.label) if found and found.label else ""
