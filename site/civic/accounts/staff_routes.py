"""/staff/: where a staff member's work is, and a community's register of people."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from civic.accounts import service
from civic.accounts.guards import requires, signed_in
from civic.accounts.roles import Role
from civic.accounts.viewer import SignedIn
from civic.places import service as places
from civic.web.pages import render


class StaffController(Controller):
    path = "/staff"

    @get("/", guards=[signed_in])
    async def index(self, request: Request, viewer: SignedIn) -> Template:
        communities = await places.communities_by_id(viewer.scopes(Role.COMMUNITY_STAFF))
        mailboxes = await places.communities_by_id(viewer.scopes(Role.PARTY_REPRESENTATIVE))
        street_ids = set(viewer.scopes(Role.STREET_OFFICIAL))
        streets = [s for s in await places.district_overview() if s.id in street_ids]
        department_ids = set(viewer.scopes(Role.DEPARTMENT_STAFF))
        departments = (
            [d for d in await places.departments() if d["id"] in department_ids]
            if department_ids
            else []
        )
        return render(
            request,
            "staff/index.html",
            communities=list(communities.values()),
            mailboxes=list(mailboxes.values()),
            streets=streets,
            departments=departments,
            is_admin=viewer.holds(Role.DISTRICT_ADMIN),
            is_merchant=viewer.holds(Role.MERCHANT_STAFF),
        )

    @get("/c/{slug:str}/", guards=[requires(Role.COMMUNITY_STAFF)])
    async def community_people(self, request: Request, slug: FromPath[str]) -> Template:
        community = request.state["community"]
        return render(
            request,
            "staff/community.html",
            community=community,
            people=await service.community_people(community.id),
        )
