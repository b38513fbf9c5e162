"""微心愿 as the site sees it: see civic/features.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from civic.features import CommunityEntry, Feature, MeSection
from civic.settings import Settings
from civic.web.i18n import _
from civic.wishes import demo, queries, service
from civic.wishes.routes import WishController, WishFiguresController, WishStaffController


async def sweep(now: datetime, settings: Settings) -> str:
    released = await service.release_expired(now)
    hours = settings.cases.claim_warn_hours
    warned = await service.warn_expiring(now, timedelta(hours=hours))
    return _("过期认领已放回心愿树：{n} 个；{hours} 小时内到期、已提醒认领人：{warned} 个").format(
        n=released, hours=hours, warned=warned
    )


FEATURE = Feature(
    name="wishes",
    controllers=[WishController, WishStaffController, WishFiguresController],
    entry=CommunityEntry(_("微心愿"), "wishes/"),
    me=MeSection(_("我的心愿和认领"), queries.me_items),
    sweep=sweep,
    demo=demo.load,
)
