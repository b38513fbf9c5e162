"""微心愿 as the site sees it: see civic/features.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from civic.features import CommunityEntry, Feature, MeSection
from civic.web.i18n import _
from civic.wishes import demo, queries, service
from civic.wishes.routes import WishController, WishFiguresController, WishStaffController


async def sweep(now: datetime, _settings: Any) -> str:
    released = await service.release_expired(now)
    return _("过期认领已放回心愿树：{n} 个").format(n=released)


FEATURE = Feature(
    name="wishes",
    controllers=[WishController, WishStaffController, WishFiguresController],
    entry=CommunityEntry(_("微心愿"), "wishes/"),
    me=MeSection(_("我的心愿和认领"), queries.me_items),
    sweep=sweep,
    demo=demo.load,
)
