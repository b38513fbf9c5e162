"""Work queues: a community's cases, a street's summoned cases, a department's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from civic.accounts.guards import requires
from civic.accounts.roles import Role
from civic.accounts.viewer import SOMEONE, Place, SignedIn, Viewer, may_act
from civic.suggestions import forms, queries
from civic.suggestions.report import Reader
from civic.suggestions.routes import report_response, told_done
from civic.web.i18n import _
from civic.web.pages import now_of, render
from civic.web.shared_views import seen_as


async def _queue_page(
    request: Request,
    viewer: Viewer,
    heading: str,
    queue: Callable[[], Awaitable[queries.Queue]],
    *,
    desk: bool = True,
    report_url: str = "",
    **context: Any,
) -> Template | Response[bytes]:
    """A queue page. `desk`: the queue is the same for everyone the guard let in (a
    community's staff, a street's officials, a department's staff), so it is rendered once
    for all of them (web/shared_views.py); a step's "done" notice is the person's own."""
    done = told_done(request, request.url.path)

    async def page(_seen_by: Viewer | None) -> Template:
        return render(
            request,
            "suggestions/queue.html",
            heading=heading,
            queue=await queue(),
            now=now_of(request),
            done=done,
            report_url=report_url,
            **context,
        )

    return await seen_as(request, viewer, SOMEONE if desk and not done else viewer, page)


class CaseQueueController(Controller):
    @get(
        "/staff/c/{slug:str}/suggestions/",
        guards=[requires(Role.COMMUNITY_STAFF, Role.PARTY_REPRESENTATIVE)],
    )
    async def community(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
    ) -> Template | Response[bytes]:
        """The community's queue; a party representative sees the cases addressed to them."""
        community = request.state["community"]
        is_staff = may_act(viewer, {Role.COMMUNITY_STAFF}, Place(community_id=community.id))
        heading = f"{community.name} · 意见箱" if is_staff else f"{community.name} · 党代表信箱"
        return await _queue_page(
            request,
            viewer,
            heading,
            lambda: queries.community_queue(
                community.id, now_of(request), representative_id=None if is_staff else viewer.id
            ),
            desk=is_staff,
            report_url=f"/staff/c/{slug}/suggestions/report" if is_staff else "",
            community=community,
            held_label=_("已上报"),
        )

    @get(
        ["/staff/c/{slug:str}/suggestions/report", "/staff/c/{slug:str}/suggestions/report.pdf"],
        guards=[requires(Role.COMMUNITY_STAFF)],
    )
    async def community_report(
        self, request: Request, slug: FromPath[str], month: FromQuery[str] = ""
    ) -> Template | Response[bytes]:
        community = request.state["community"]
        return await report_response(
            request,
            scope=community.name,
            month=month,
            pdf=request.url.path.endswith(".pdf"),
            reader=Reader.COMMUNITY,
            back=(f"/staff/c/{slug}/suggestions/", _("意见箱工作台")),
            community_id=community.id,
        )

    @get(
        [
            "/staff/street/{street:str}/suggestions/report",
            "/staff/street/{street:str}/suggestions/report.pdf",
        ],
        guards=[requires(Role.STREET_OFFICIAL)],
    )
    async def street_report(
        self, request: Request, street: FromPath[str], month: FromQuery[str] = ""
    ) -> Template | Response[bytes]:
        place = request.state["street"]
        return await report_response(
            request,
            scope=place.name,
            month=month,
            pdf=request.url.path.endswith(".pdf"),
            reader=Reader.STREET,
            back=(f"/staff/street/{street}/suggestions/", _("吹哨案件")),
            street_id=place.id,
        )

    @get("/staff/street/{street:str}/suggestions/", guards=[requires(Role.STREET_OFFICIAL)])
    async def street(
        self,
        request: Request,
        street: FromPath[str],
        viewer: SignedIn,
        community: FromQuery[forms.CommunityFilter] = None,
    ) -> Template | Response[bytes]:
        """The cases the street's communities blew the whistle on; `community` keeps one's."""
        place = request.state["street"]
        return await _queue_page(
            request,
            viewer,
            f"{place.name} · 吹哨案件",
            lambda: queries.street_queue(place.id, now_of(request), community),
            report_url=f"/staff/street/{street}/suggestions/report",
            community=None,
            held_label=_("已派职能部门"),
        )

    @get(
        "/staff/department/{department:str}/suggestions/",
        guards=[requires(Role.DEPARTMENT_STAFF)],
    )
    async def department(
        self,
        request: Request,
        department: FromPath[str],
        viewer: SignedIn,
        community: FromQuery[forms.CommunityFilter] = None,
    ) -> Template | Response[bytes]:
        place = request.state["department"]
        return await _queue_page(
            request,
            viewer,
            f"{place['name']} · 报到案件",
            lambda: queries.department_queue(place["id"], now_of(request), community),
            community=None,
            held_label="",
        )
