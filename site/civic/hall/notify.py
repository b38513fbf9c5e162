"""Who is told what when a topic moves: the proposer, of every step of their proposal; the
community's staff and council, of a new proposal. Called by the workflow engine inside the
step's transaction (and by `propose` for a new proposal)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civic.accounts.roles import Role
from civic.messages import service as messages
from civic.places.tables import Community
from civic.web.i18n import _
from civic.workflow import Move

TO_PROPOSER = {
    "accept": _("您提出的议题“{title}”已受理，开始征集意见。"),
    "decline": _("您提出的议题“{title}”未受理：{note}"),
    "deliberate": _("您提出的议题“{title}”进入讨论协商。"),
    "open_vote": _("您提出的议题“{title}”开始表决。"),
    "publish": _("您提出的议题“{title}”已公示结果。"),
}


def link(topic: Mapping[str, Any], slug: str | None = None) -> str:
    return f"/c/{slug or topic.get('slug', '')}/hall/{topic['id']}/"


async def moderators(community_id: int) -> list[int]:
    """The desk for the hall: the community's staff and its council members."""
    staff = await messages.holders(Role.COMMUNITY_STAFF, community_id)
    council = await messages.holders(Role.COUNCIL_MEMBER, community_id)
    return [*staff, *council]


async def _slug(community_id: int) -> str:
    row = await Community.select(Community.slug).where(Community.id == community_id).first()
    return row["slug"] if row else ""


async def new_proposal(topic: Mapping[str, Any], now: datetime) -> None:
    slug = await _slug(topic["community"])
    text = _("有居民提出了新议题，待受理：{title}").format(title=topic["title"])
    await messages.tell(await moderators(topic["community"]), text, link(topic, slug), now)


async def on_move(
    row: Mapping[str, Any], move: Move[Any], actor_id: int | None, note: str, now: datetime
) -> None:
    template = TO_PROPOSER.get(str(move.name))
    proposer = row.get("proposed_by")
    if template is None or proposer is None or proposer == actor_id:
        return
    slug = await _slug(row["community"])
    text = template.format(title=row["title"], note=note)
    await messages.tell([proposer], text, link(row, slug), now)
