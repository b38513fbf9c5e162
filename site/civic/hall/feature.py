"""议事厅 as the site sees it: see civic/features.py."""

from __future__ import annotations

from civic.features import CommunityEntry, Feature, MeSection
from civic.hall import demo, queries
from civic.hall.outcome_routes import OutcomeController
from civic.hall.post_routes import PostController
from civic.hall.routes import HallController, HallQueueController
from civic.hall.vote_routes import VoteController
from civic.web.i18n import _

FEATURE = Feature(
    name="hall",
    controllers=[
        HallController,
        HallQueueController,
        VoteController,
        PostController,
        OutcomeController,
    ],
    entry=CommunityEntry(_("议事厅"), "hall/"),
    me=MeSection(_("我的议事"), queries.me_items),
    demo=demo.load,
)
