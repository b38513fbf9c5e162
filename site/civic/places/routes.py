"""The district page, a community's home and its poster."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from civic.accounts.viewer import SOMEONE, MaybeSignedIn, Viewer
from civic.notices.pdf import pdf_response, render_pdf
from civic.notices.qr import qr_svg
from civic.places import service
from civic.web.pages import render
from civic.web.shared_views import seen_as


class PlaceController(Controller):
    # Both pages are the same for everyone signed in (web/shared_views.py).
    @get("/")
    async def district(self, request: Request, visitor: MaybeSignedIn) -> Template | Response:
        async def page(_seen_by: Viewer | None) -> Template:
            return render(
                request,
                "places/district.html",
                district=await service.district_name(),
                streets=await service.district_overview(),
            )

        return await seen_as(request, visitor, SOMEONE, page)

    @get("/c/{slug:str}/")
    async def community(
        self, request: Request, slug: FromPath[str], visitor: MaybeSignedIn
    ) -> Template | Response:
        async def page(_seen_by: Viewer | None) -> Template:
            community = await service.community_or_404(slug)
            grids, loose = await service.community_grids(community.id)
            return render(
                request,
                "places/community.html",
                community=community,
                grids=grids,
                loose=loose,
                entries=request.app.state.community_entries,
            )

        return await seen_as(request, visitor, SOMEONE, page)

    @get("/c/{slug:str}/poster.pdf")
    async def poster(self, request: Request, slug: FromPath[str]) -> Response[bytes]:
        community = await service.community_or_404(slug)
        url = f"{request.app.state.settings.base_url}/c/{community.slug}/"
        pdf = await render_pdf(
            request,
            "notices/poster.html",
            community=community,
            url=url,
            qr=qr_svg(url),
            entries=request.app.state.community_entries,
        )
        return pdf_response(pdf, f"{community.slug}-poster.pdf")
