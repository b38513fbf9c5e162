"""意见箱 and 吹哨报到 as the site sees it: see civic/features.py."""

from __future__ import annotations

from datetime import datetime

from civic.features import CommunityEntry, Feature, MeSection
from civic.settings import Settings
from civic.suggestions import demo, queries, service
from civic.suggestions.routes import CaseController, SuggestionController
from civic.suggestions.staff_routes import CaseQueueController
from civic.web.i18n import _


async def sweep(now: datetime, settings: Settings) -> str:
    closed = await service.close_unrated(now, clocks=settings.cases)
    warned = await service.warn_due(now, clocks=settings.cases)
    return _(
        "反馈后 {days} 天未评价的意见已办结：{n} 件；快到期、已提醒办理方：{warned} 次"
    ).format(days=settings.cases.autoclose_days, n=closed, warned=warned)


FEATURE = Feature(
    name="suggestions",
    controllers=[SuggestionController, CaseController, CaseQueueController],
    entry=CommunityEntry(_("意见箱"), "suggestions/"),
    me=MeSection(_("我反映的事"), queries.me_items),
    sweep=sweep,
    demo=demo.load,
)
