"""The wish tree, a wish, posting and claiming wishes, reporting as a helper; the staff queue."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts.guards import requires, signed_in
from civic.accounts.roles import Role
from civic.accounts.service import normalise_phone
from civic.accounts.viewer import current_viewer
from civic.errors import DomainError, NotFound
from civic.notices.pdf import pdf_response, render_pdf
from civic.notices.qr import qr_svg
from civic.places import service as places
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.pages import render, see_other
from civic.web.privacy import mask_name
from civic.web.templating import local_time
from civic.wishes import queries, service
from civic.wishes.tables import Helper, Wish
from civic.wishes.tree import LeafInput, layout
from civic.wishes.workflow import ON_TREE, STATUS_LABELS, Party, S, allowed

ACTIONS = {  # the button for each move a person may make on a wish page
    (S.SUBMITTED, S.PUBLISHED): _("通过并发布"),
    (S.SUBMITTED, S.RETURNED): _("退回修改"),
    (S.SUBMITTED, S.REJECTED): _("不予发布"),
    (S.RETURNED, S.SUBMITTED): _("重新提交"),
    (S.CLAIMED, S.PUBLISHED): _("放弃认领"),
    (S.CLAIMED, S.FULFILLED): _("我已完成心愿"),
    (S.FULFILLED, S.CONFIRMED): _("确认已收到"),
    (S.SUBMITTED, S.WITHDRAWN): _("撤回心愿"),
    (S.RETURNED, S.WITHDRAWN): _("撤回心愿"),
    (S.PUBLISHED, S.WITHDRAWN): _("撤回心愿"),
}
CATEGORIES = [(c.value, c.value) for c in Wish.Category]


def _now(request: Request) -> datetime:
    return request.app.state.clock.now()


class WishController(Controller):
    path = "/c/{slug:str}/wishes"

    @get("/")
    async def tree(
        self,
        request: Request,
        slug: FromPath[str],
        category: FromQuery[str] = "",
        status: FromQuery[str] = "",
    ) -> Template:
        community = await places.community_or_404(slug)
        await service.release_expired(_now(request), community_id=community.id)
        wishes = await queries.tree(community.id, category, status)
        viewer = await current_viewer(request)
        helper = await service.verified_helper(viewer.id, community.id) if viewer else None
        base = f"/c/{slug}/wishes/"
        drawn = layout([LeafInput(w.id, w.title, w.status.value, f"{base}{w.id}/") for w in wishes])
        return render(
            request,
            "wishes/tree.html",
            community=community,
            wishes=wishes,
            tree=drawn,
            categories=CATEGORIES,
            category=category,
            state=status,
            states=[(s.value, STATUS_LABELS[s]) for s in ON_TREE],
            is_helper=helper is not None,
            viewer_signed_in=viewer is not None,
        )

    @get("/random", guards=[signed_in])
    async def random_wish(self, request: Request, slug: FromPath[str]) -> Redirect:
        """随手帮一个: an open wish picked at random, for a helper with a spare minute."""
        community = await places.community_or_404(slug)
        ids = await queries.open_wish_ids(community.id)
        if not ids:
            return see_other(f"/c/{slug}/wishes/?empty=1")
        return see_other(f"/c/{slug}/wishes/{random.choice(ids)}/")  # noqa: S311

    async def _wish_page(
        self,
        request: Request,
        slug: str,
        wish_id: int,
        *,
        notice: str = "",
        status: int = 200,
        form: Form | None = None,
    ) -> Template:
        community = await places.community_or_404(slug)
        await service.release_expired(_now(request), wish_id)
        page = await queries.wish_page(wish_id, community.id)
        if page is None:
            raise NotFound(_("没有这个心愿。"))
        viewer = await current_viewer(request)
        parties = await service.parties(viewer, page.wish)
        current = S(page.wish["status"])
        if current not in ON_TREE and not (parties & {Party.STAFF, Party.OWNER}):
            raise NotFound(_("没有这个心愿。"))
        moves = [
            (target.value, label)
            for (source, target), label in ACTIONS.items()
            if source is current and allowed(current, target, parties)
        ]
        return render(
            request,
            "wishes/wish.html",
            community=community,
            page=page,
            moves=moves,
            can_claim=current is S.PUBLISHED and Party.HELPER in parties,
            # The claimer sees who and how to reach them only while the claim is open.
            sees_person=bool(parties & {Party.STAFF, Party.OWNER})
            or (Party.CLAIMER in parties and current is S.CLAIMED),
            is_signed_in=viewer is not None,
            notice=notice,
            offer_another=status == 409,
            categories=CATEGORIES,
            status=status,
            form=form or Form(),
        )

    @get("/{wish_id:int}/")
    async def wish(self, request: Request, slug: FromPath[str], wish_id: FromPath[int]) -> Template:
        return await self._wish_page(request, slug, wish_id)

    @get("/{wish_id:int}/thanks.pdf")
    async def thanks(
        self, request: Request, slug: FromPath[str], wish_id: FromPath[int]
    ) -> Response[bytes]:
        """The thank-you letter of a confirmed wish: names masked, a QR code back to it."""
        community = await places.community_or_404(slug)
        page = await queries.wish_page(wish_id, community.id)
        if page is None or page.wish["status"] != S.CONFIRMED:
            raise NotFound(_("心愿确认实现后才有感谢信。"))
        url = f"{request.app.state.settings.base_url}/c/{slug}/wishes/{wish_id}/"
        pdf = await render_pdf(
            "wishes/thanks.pdf.html",
            community=community,
            wish=page.wish,
            helper=mask_name(page.claimer_name),
            beneficiary=mask_name(page.beneficiary_name),
            confirmed=local_time(page.wish["confirmed_at"], "%Y年%m月%d日"),
            qr=qr_svg(url),
        )
        return pdf_response(pdf, f"thanks-{wish_id}.pdf")

    @post("/{wish_id:int}/claim", guards=[signed_in])
    async def claim(
        self, request: Request, slug: FromPath[str], wish_id: FromPath[int]
    ) -> Template | Redirect:
        viewer = await current_viewer(request)
        try:
            await service.claim(viewer, wish_id, _now(request))
        except DomainError as refused:
            return await self._wish_page(
                request, slug, wish_id, notice=refused.message, status=refused.status_code
            )
        return see_other(f"/c/{slug}/wishes/{wish_id}/")

    @post("/{wish_id:int}/move", guards=[signed_in])
    async def move(
        self, request: Request, slug: FromPath[str], wish_id: FromPath[int]
    ) -> Template | Redirect:
        form = await Form.read(request)
        viewer = await current_viewer(request)
        try:
            target = S(form.get("to"))
            edits = None
            if target is S.SUBMITTED:
                value = form.int("value_yuan")
                edits = {k: form.get(k) for k in ("title", "description", "category")}
                if value is not None:
                    edits["value_yuan"] = value
            await service.move(
                viewer, wish_id, target, _now(request), note=form.get("note"), edits=edits
            )
        except ValueError:
            return await self._wish_page(
                request, slug, wish_id, notice=_("请选择操作。"), status=422, form=form
            )
        except DomainError as refused:
            return await self._wish_page(
                request,
                slug,
                wish_id,
                notice=refused.message,
                status=refused.status_code,
                form=form,
            )
        return see_other(f"/c/{slug}/wishes/{wish_id}/")

    @get("/new", guards=[signed_in])
    async def new_page(self, request: Request, slug: FromPath[str]) -> Template:
        community = await places.community_or_404(slug)
        return render(
            request,
            "wishes/new.html",
            community=community,
            form=Form(),
            categories=CATEGORIES,
            for_others=service.can_post_for_others(await current_viewer(request), community.id),
        )

    @post("/new", guards=[signed_in])
    async def create(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        community = await places.community_or_404(slug)
        viewer = await current_viewer(request)
        form = await Form.read(request)
        for_others = service.can_post_for_others(viewer, community.id)
        beneficiary = viewer.id
        if for_others and form.get("for_phone"):
            beneficiary = await queries.resident_by_phone(normalise_phone(form.get("for_phone")))
            if beneficiary is None:
                form.error("for_phone", _("没有找到这个手机号的居民，请先帮他注册。"))
        value = form.int("value_yuan")
        if value is None:
            form.error("value_yuan", _("请填写估计价值（整数，单位元）。"))
        for name, message in service.check_wish(
            form.get("title"), form.get("description"), form.get("category"), value or 0
        ).items():
            form.error(name, message)
        if form.ok:
            try:
                wish_id = await service.submit_wish(
                    viewer,
                    community.id,
                    beneficiary,
                    form.get("title"),
                    form.get("description"),
                    form.get("category"),
                    value or 0,
                    _now(request),
                )
            except DomainError as refused:
                form.error("title", refused.message)
            else:
                return see_other(f"/c/{slug}/wishes/{wish_id}/")
        return render(
            request,
            "wishes/new.html",
            community=community,
            form=form,
            categories=CATEGORIES,
            for_others=for_others,
            status=422,
        )

    @get("/report", guards=[signed_in])
    async def report_page(self, request: Request, slug: FromPath[str]) -> Template:
        community = await places.community_or_404(slug)
        viewer = await current_viewer(request)
        return render(
            request,
            "wishes/report.html",
            community=community,
            form=Form({"name": viewer.name, "contact_phone": viewer.phone}),
            mine=await queries.my_report(viewer.id, community.id),
        )

    @post("/report", guards=[signed_in])
    async def report(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        community = await places.community_or_404(slug)
        viewer = await current_viewer(request)
        form = await Form.read(request)
        kind = form.get("kind")
        if kind not in {k.value for k in Helper.Kind}:
            form.error("kind", _("请选择以党员身份还是以单位身份报到。"))
        if not form.get("name"):
            form.error("name", _("请填写姓名或单位名称。"))
        if form.ok:
            await service.report(
                viewer.id,
                community.id,
                Helper.Kind(kind),
                form.get("name"),
                form.get("work_unit"),
                form.get("party_branch"),
                form.get("contact_phone"),
            )
            return see_other(f"/c/{slug}/wishes/report")
        return render(
            request,
            "wishes/report.html",
            community=community,
            form=form,
            mine=await queries.my_report(viewer.id, community.id),
            status=422,
        )


class WishStaffController(Controller):
    path = "/staff/c/{slug:str}/wishes"
    guards = (requires(Role.COMMUNITY_STAFF),)

    @get("/")
    async def queue(self, request: Request, slug: FromPath[str]) -> Template:
        community = request.state["community"]
        now = _now(request)
        await service.release_expired(now, community_id=community.id)
        return render(
            request,
            "wishes/staff.html",
            community=community,
            review=await queries.review_queue(community.id),
            reports=await queries.pending_reports(community.id),
            due=await queries.claims_due(community.id, now + timedelta(days=2)),
            figures=await queries.figures(community.id),
            now=now,
        )

    @get("/figures.csv")
    async def figures_csv(self, request: Request, slug: FromPath[str]) -> Response[bytes]:
        """The figures for a spreadsheet; the BOM makes Excel read the Chinese correctly."""
        figures = await queries.figures(request.state["community"].id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("认领人"), _("身份"), _("认领次数"), _("完成次数")])
        for h in figures.helpers:
            writer.writerow([h.name, h.kind, h.claimed, h.fulfilled])
        writer.writerow([])
        writer.writerow([_("已发布心愿"), figures.published])
        writer.writerow([_("已实现（含已确认）"), figures.fulfilled + figures.confirmed])
        writer.writerow([_("报到党员"), figures.verified_members])
        writer.writerow([_("人均实现心愿"), figures.per_member])
        writer.writerow([_("发布到确认平均天数"), figures.average_days or ""])
        return Response(
            ("\ufeff" + out.getvalue()).encode(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{slug}-wishes.csv"'},
        )

    @post("/reports/{helper_id:int}")
    async def decide(
        self, request: Request, slug: FromPath[str], helper_id: FromPath[int]
    ) -> Redirect:
        form = await Form.read(request)
        viewer = await current_viewer(request)
        await service.decide_report(
            viewer,
            helper_id,
            form.get("decision") == "verify",
            _now(request),
            reason=form.get("reason"),
        )
        return see_other(f"/staff/c/{slug}/wishes/")
