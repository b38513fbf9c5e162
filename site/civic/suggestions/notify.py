"""Who is told what when a case moves: the filer, of every step they wait for; the desk that
holds the case, when it lands there. Called by the workflow engine inside the step's
transaction (and by file_case for a new case)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civic.accounts.roles import Role
from civic.messages import service as messages
from civic.prepared import Prepared
from civic.suggestions.tables import Case
from civic.web import codes
from civic.web.clock import local
from civic.web.i18n import _
from civic.workflow import Move

TO_FILER = {
    "accept": _("您反映的事（{code}）已受理。"),
    "reply": _("您反映的事（{code}）有了回复：{note}"),
    "escalate": _("您反映的事（{code}）社区已吹哨上报，请上一级一起办理。"),
    "answer": _("您反映的事（{code}）有了办理结果，请看看并评价。"),
    "reject": _("您反映的事（{code}）不予受理：{note}"),
    "merge": _("您反映的事（{code}）与另一件是同一件事，已合并办理。"),
    "adopt": _("您的建议（{code}）被社区采纳了，谢谢！"),
    "expire": _("您反映的事（{code}）反馈后 7 天未评价，已自动办结。"),
}


async def _desk(case: Mapping[str, Any]) -> list[int]:
    """Who holds the case now: its community's staff (or the representative it is addressed
    to), the street's officials, or the summoned department's staff."""
    level = case["level"]
    if level == Case.Level.STREET:
        return await messages.holders(Role.STREET_OFFICIAL, case["street"])
    if level == Case.Level.DEPARTMENT and case["department"]:
        return await messages.holders(Role.DEPARTMENT_STAFF, case["department"])
    if case["representative"]:
        return [case["representative"]]
    return await messages.holders(Role.COMMUNITY_STAFF, case["community"])


# Read inside every filing's and every step's transaction: built once.
_CASE = Prepared(
    lambda case_id: (
        Case.select(
            Case.id,
            Case.code,
            Case.filer,
            Case.level,
            Case.department,
            Case.representative,
            Case.community,
            Case.community.street.as_alias("street"),
        )
        .where(Case.id == case_id)
        .first()
    ),
    case_id=int,
)


async def _case(case_id: int) -> dict[str, Any]:
    return await _CASE(case_id=case_id) or {}


DUE_SOON = {
    "respond": _("这件事还没有回应，{deadline} 前要受理或回复：{code}"),
    "resolve": _("这件事 {deadline} 前要反馈办理结果，快到期了：{code}"),
}


async def due_soon(case_id: int, which: str, deadline: datetime, now: datetime) -> None:
    """The desk holding the case now is told, once, that one of its clocks is about to run
    out (`which`: "respond" or "resolve")."""
    case = await _case(case_id)
    text = DUE_SOON[which].format(
        code=codes.shown(case["code"]), deadline=f"{local(deadline):%m月%d日 %H:%M}"
    )
    await messages.tell(await _desk(case), text, f"/s/{case['code']}", now)


async def new_case(case_id: int, now: datetime) -> None:
    case = await _case(case_id)
    text = _("新的意见待受理：{code}").format(code=codes.shown(case["code"]))
    await messages.tell(await _desk(case), text, f"/s/{case['code']}", now)


async def on_move(
    row: Mapping[str, Any], move: Move[Any], _actor_id: int | None, note: str, now: datetime
) -> None:
    case = await _case(row["id"])  # as the step left it: who holds it now
    link = f"/s/{case['code']}"
    words = {"code": codes.shown(case["code"]), "note": note}
    name = str(move.name)
    if name in TO_FILER:
        await messages.tell([case["filer"]], TO_FILER[name].format(**words), link, now)
    if name == "escalate":
        text = _("有一件事吹哨到您这里，请报到接办：{code}").format(**words)
        await messages.tell(await _desk(case), text, link, now)
    elif name == "hand_back":
        text = _("一件事退回给您办理：{code}。{note}").format(**words)
        await messages.tell(await _desk(case), text, link, now)
    elif name == "reopen":
        text = _("反映人对结果不满意，请重新办理：{code}").format(**words)
        await messages.tell(await _desk(case), text, link, now)
