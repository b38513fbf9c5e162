"""Who is told what when a wish or a report moves: one place, called by the workflow engine
inside the move's transaction (and by submit_wish for a new wish)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civic.accounts.roles import Role
from civic.messages import service as messages
from civic.web.clock import local
from civic.web.i18n import _
from civic.wishes.tables import Helper, Wish
from civic.workflow import Move

TO_OWNER = {
    "approve": _("您的心愿“{title}”通过了审核，已挂上心愿树。"),
    "return": _("社区请您修改心愿“{title}”：{note}"),
    "reject": _("您的心愿“{title}”没有通过：{note}"),
    "claim": _("您的心愿“{title}”有人认领了，认领人会联系您。"),
    "release": _("心愿“{title}”的认领人放弃了认领，心愿回到了心愿树上。"),
    "expire": _("心愿“{title}”的认领超过了期限，心愿回到了心愿树上。"),
    "revoke": _("心愿“{title}”回到了心愿树上，等待新的认领人。"),
    "fulfil": _("您的心愿“{title}”已实现，收到后请点“确认已收到”。"),
}
TO_CLAIMER = {
    "expire": _("您认领的心愿“{title}”超过 7 天未完成，已回到心愿树上。"),
    "revoke": _("您的报到已被社区撤销，认领的心愿“{title}”回到了心愿树上。"),
    "confirm": _("您帮助实现的心愿“{title}”已确认收到。谢谢您！"),
}
TO_STAFF = {
    "resubmit": _("心愿“{title}”修改后重新提交，等待审核。"),
}


async def _wish(wish_id: int) -> dict[str, Any]:
    row = (
        await Wish.select(
            Wish.id,
            Wish.title,
            Wish.beneficiary,
            Wish.posted_by,
            Wish.community,
            Wish.community.slug.as_alias("slug"),
        )
        .where(Wish.id == wish_id)
        .first()
    )
    return row or {}


async def new_wish(wish_id: int, now: datetime) -> None:
    """A wish waits for review: the community's staff are told."""
    wish = await _wish(wish_id)
    staff = await messages.holders(Role.COMMUNITY_STAFF, wish["community"])
    text = _("新心愿待审核：“{title}”").format(title=wish["title"])
    await messages.tell(staff, text, f"/c/{wish['slug']}/wishes/{wish_id}/", now)


async def on_move(
    row: Mapping[str, Any], move: Move[Any], _actor_id: int | None, note: str, now: datetime
) -> None:
    wish = await _wish(row["id"])
    link = f"/c/{wish['slug']}/wishes/{wish['id']}/"
    words = {"title": wish["title"], "note": note}
    name = str(move.name)
    if name in TO_OWNER:
        owners = [wish["beneficiary"], wish["posted_by"]]
        await messages.tell(owners, TO_OWNER[name].format(**words), link, now)
    if name in TO_CLAIMER and row.get("claimed_by"):
        helper = await Helper.select(Helper.person).where(Helper.id == row["claimed_by"]).first()
        if helper:
            await messages.tell([helper["person"]], TO_CLAIMER[name].format(**words), link, now)
    if name in TO_STAFF:
        staff = await messages.holders(Role.COMMUNITY_STAFF, wish["community"])
        await messages.tell(staff, TO_STAFF[name].format(**words), link, now)


async def claim_expiring(row: Mapping[str, Any], now: datetime) -> None:
    """The claimer is told their claim is about to run out, while there is time to act."""
    wish = await _wish(row["id"])
    helper = await Helper.select(Helper.person).where(Helper.id == row["claimed_by"]).first()
    if not wish or not helper:
        return
    text = _(
        "您认领的心愿“{title}”将在 {deadline} 到期，请在期限内帮忙实现；做不到可以放弃认领，"
        "让别人来帮。"
    ).format(title=wish["title"], deadline=f"{local(row['claim_deadline']):%m月%d日 %H:%M}")
    link = f"/c/{wish['slug']}/wishes/{wish['id']}/"
    await messages.tell([helper["person"]], text, link, now)
