"""The wish tree, a wish, posting and claiming wishes, reporting as a helper; the staff queue."""

from __future__ import annotations

import random
from datetime import timedelta

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts.guards import requires, signed_in
from civic.accounts.roles import Role
from civic.accounts.viewer import SOMEONE, MaybeSignedIn, SignedIn, Viewer
from civic.errors import DomainError, NotFound
from civic.notices.pdf import pdf_response, render_pdf
from civic.notices.qr import qr_svg
from civic.photos import service as photos
from civic.photos.service import BadPhoto
from civic.photos.web import PHOTO_ROUTE_OPT, UPLOAD_MAX_BODY, photo_response
from civic.places import service as places
from civic.web import pages
from civic.web.csv_export import csv_response
from civic.web.errors import typed_kept
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.inputs import Id
from civic.web.once import FIELD as ONCE
from civic.web.once import once_of
from civic.web.pages import now_of, render, see_other, wants_fragment
from civic.web.shared_views import seen_as
from civic.web.templating import local_time
from civic.wishes import forms, queries, service
from civic.wishes.tables import Wish
from civic.wishes.tree import LeafInput, layout
from civic.wishes.workflow import (
    NEW,
    ON_TREE,
    REPORTS,
    STATUS_LABELS,
    WISHES,
    Party,
    ReportVerb,
    S,
    Verb,
    done_notice,
    sees_person,
    steps,
    visible,
)

CATEGORIES = [(c.value, c.value) for c in Wish.Category]


def told_done(request: Request, path: str) -> str:
    """The step taken just before coming to `path`, said in words, once; "" otherwise."""
    verb = pages.told_done(request, path)
    return done_notice(verb) if verb else ""


async def _at_claim_cap(helper_id: int | None) -> bool:
    """Does the helper hold as many open claims as service.claim allows? Asked by the pages so
    that a helper is told before tapping, not after; the claim itself still decides."""
    if helper_id is None:
        return False
    held = await Wish.count().where((Wish.claimed_by == helper_id) & (Wish.status == S.CLAIMED))
    return held >= service.MAX_OPEN_CLAIMS


def _cap_note() -> str:
    return _("您已认领 {n} 个心愿，完成后再认领新的吧。").format(n=service.MAX_OPEN_CLAIMS)


async def _photo(photo_id: int) -> Response[bytes]:
    photo = await photos.load(photo_id)
    if photo is None:
        raise NotFound(_("没有这张照片。"))
    return photo_response(photo)


class WishController(Controller):
    path = "/c/{slug:str}/wishes"

    @get("/")
    async def tree(
        self,
        request: Request,
        slug: FromPath[str],
        visitor: MaybeSignedIn,
        category: FromQuery[forms.Category] = "",
        status: FromQuery[forms.TreeState] = "",
    ) -> Template | Response[bytes]:
        community = await places.community_or_404(slug)
        helper = await service.verified_helper(visitor.id, community.id) if visitor else None

        async def tree_page(seen_by: Viewer | None) -> Template:
            wishes = await queries.tree(community.id, now_of(request), category, status)
            base = f"/c/{slug}/wishes/"
            leaves = [LeafInput(w.id, w.title, w.status.value, f"{base}{w.id}/") for w in wishes]
            return render(
                request,
                "wishes/tree.html",
                community=community,
                wishes=wishes,
                tree=layout(leaves),
                categories=CATEGORIES,
                category=category,
                state=status,
                states=[(s.value, STATUS_LABELS[s]) for s in ON_TREE],
                is_helper=helper is not None,
                at_cap=await _at_claim_cap(helper),
                cap_note=_cap_note(),
                viewer_signed_in=seen_by is not None,
            )

        # A helper's tree is their own (随手帮一个, their cap); anyone else signed in sees the
        # same tree (web/shared_views.py).
        return await seen_as(request, visitor, visitor if helper else SOMEONE, tree_page)

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
        viewer: Viewer | None,
        slug: str,
        wish_id: int,
        *,
        notice: str = "",
        done: str = "",
        status: int = 200,
        form: Form | None = None,
        step: str = "",
    ) -> Template:
        community = await places.community_or_404(slug)
        page = await queries.wish_page(wish_id, community.id, now_of(request))
        if page is None:
            raise NotFound(_("没有这个心愿。"))
        parties = await service.parties(viewer, page.wish)
        current = S(page.wish["status"])
        if not visible(current, parties):
            raise NotFound(_("没有这个心愿。"))
        # A step asked once more (?step=release): the page says what it loses and holds only
        # its form. Nothing changes until that form is sent.
        # (the reason a step may need is typed on that page, so none is asked for here).
        confirming = WISHES.check(step, current, parties, note=step) if step else None
        primary, more = steps(current, parties)
        at_cap = False
        if current is S.PUBLISHED and Party.HELPER in parties and viewer is not None:
            at_cap = await _at_claim_cap(await service.verified_helper(viewer.id, community.id))
        return render(
            request,
            "wishes/wish.html",
            community=community,
            page=queries.shown_to(page, sees_person(current, parties)),
            primary=primary,
            more=more,
            confirming=confirming,
            done=done,
            can_claim=current is S.PUBLISHED and Party.HELPER in parties,
            at_cap=at_cap,
            cap_note=_cap_note(),
            is_signed_in=viewer is not None,
            notice=notice,
            offer_another=status == 409,
            categories=CATEGORIES,
            status=status,
            form=form or Form(),
        )

    @get("/{wish_id:int}/")
    async def wish(
        self,
        request: Request,
        visitor: MaybeSignedIn,
        slug: FromPath[str],
        wish_id: FromPath[Id],
        step: FromQuery[forms.Confirmable] = "",
    ) -> Template:
        """A wish; with `step`, the page asking once more before a step that loses something."""
        path = f"/c/{slug}/wishes/{wish_id}/"
        return await self._wish_page(
            request, visitor, slug, wish_id, step=step, done=told_done(request, path)
        )

    # A photo's address carries ?v=<photo id> in the pages, so a replaced photo is fetched
    # anew; who may see it is decided here, as for the wish itself.
    @get("/{wish_id:int}/photo", opt=PHOTO_ROUTE_OPT)
    async def photo(
        self, request: Request, visitor: MaybeSignedIn, slug: FromPath[str], wish_id: FromPath[Id]
    ) -> Response[bytes]:
        community = await places.community_or_404(slug)
        return await _photo(await service.wish_photo_id(visitor, community.id, wish_id))

    @get("/{wish_id:int}/fulfil-photo", opt=PHOTO_ROUTE_OPT)
    async def fulfil_photo(
        self, request: Request, visitor: MaybeSignedIn, slug: FromPath[str], wish_id: FromPath[Id]
    ) -> Response[bytes]:
        community = await places.community_or_404(slug)
        return await _photo(
            await service.wish_photo_id(visitor, community.id, wish_id, fulfilment=True)
        )

    @get("/reports/{helper_id:int}/photo", guards=[signed_in], opt=PHOTO_ROUTE_OPT)
    async def report_photo(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], helper_id: FromPath[Id]
    ) -> Response[bytes]:
        """A report's photo: for the community's staff and the person who reported only."""
        community = await places.community_or_404(slug)
        return await _photo(await service.report_photo_id(viewer, community.id, helper_id))

    @get("/{wish_id:int}/thanks.pdf")
    async def thanks(
        self, request: Request, slug: FromPath[str], wish_id: FromPath[Id]
    ) -> Response[bytes]:
        """The thank-you letter of a confirmed wish: names masked, a QR code back to it."""
        community = await places.community_or_404(slug)
        page = await queries.wish_page(wish_id, community.id, now_of(request))
        if page is None or page.wish["status"] != S.CONFIRMED:
            raise NotFound(_("心愿确认实现后才有感谢信。"))
        url = f"{request.app.state.settings.base_url}/c/{slug}/wishes/{wish_id}/"
        shown = queries.shown_to(page, sees_person=False)  # the letter is posted up
        pdf = await render_pdf(
            request,
            "wishes/thanks.pdf.html",
            community=community,
            wish=page.wish,
            helper=shown.claimer_name,
            beneficiary=shown.beneficiary_name,
            confirmed=local_time(page.wish["confirmed_at"], "%Y年%m月%d日"),
            qr=qr_svg(url),
        )
        return pdf_response(pdf, f"thanks-{wish_id}.pdf")

    @post("/{wish_id:int}/claim", guards=[signed_in])
    async def claim(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], wish_id: FromPath[Id]
    ) -> Template | Redirect:
        try:
            await service.claim(viewer, wish_id, now_of(request))
        except DomainError as refused:
            return await self._wish_page(
                request, viewer, slug, wish_id, notice=refused.message, status=refused.status_code
            )
        pages.tell_done(request, f"/c/{slug}/wishes/{wish_id}/", Verb.CLAIM)
        return see_other(f"/c/{slug}/wishes/{wish_id}/")

    @post("/{wish_id:int}/move", guards=[signed_in], request_max_body_size=UPLOAD_MAX_BODY)
    async def move(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], wish_id: FromPath[Id]
    ) -> Template | Redirect:
        form = await Form.read(request, forms.MOVE)
        photo_id = None
        try:
            form.check()
            target = S(form.get("to"))
            edits: dict[str, str | int] | None = None
            if target is S.SUBMITTED:
                value = form.int("value_yuan")
                edits = {k: form.get(k) for k in ("title", "description", "category")}
                if value is not None:
                    edits["value_yuan"] = value
            if target in (S.SUBMITTED, S.FULFILLED):
                photo_id = await photos.save_upload(form.file("photo"))
            await service.move(
                viewer,
                wish_id,
                target,
                now_of(request),
                note=form.get("note"),
                edits=edits,
                photo_id=photo_id,
                drop_photo=form.get("drop_photo") == "1",
            )
        except ValueError:
            return await self._wish_page(
                request, viewer, slug, wish_id, notice=_("请选择操作。"), status=422, form=form
            )
        except DomainError as refused:
            await photos.discard(photo_id)
            return await self._wish_page(
                request,
                viewer,
                slug,
                wish_id,
                notice=refused.message,
                status=refused.status_code,
                form=form,
            )
        made = WISHES.moves.get(form.get("step"))  # named by the form, for the notice alone
        if made is not None and made.target is target:
            pages.tell_done(request, f"/c/{slug}/wishes/{wish_id}/", made.name)
        return see_other(f"/c/{slug}/wishes/{wish_id}/")

    @get("/new", guards=[signed_in])
    async def new_page(self, request: Request, viewer: SignedIn, slug: FromPath[str]) -> Template:
        community = await places.community_or_404(slug)
        form = Form()
        if typed := typed_kept(request, f"/c/{slug}/wishes/new"):
            form = Form(typed)
            form.error("photo", _("照片太大了，请换一张小一点的照片，其他内容已经保留。"))
        return render(
            request,
            "wishes/new.html",
            community=community,
            form=form,
            categories=CATEGORIES,
            cap=await service.value_cap(community.id),
            for_others=service.can_post_for_others(viewer, community.id),
        )

    @post("/new", guards=[signed_in], request_max_body_size=UPLOAD_MAX_BODY)
    async def create(
        self, request: Request, viewer: SignedIn, slug: FromPath[str]
    ) -> Template | Redirect:
        community = await places.community_or_404(slug)
        form = await Form.read(request, forms.WISH)
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            return see_other(made)
        photo_id = None
        try:
            form.check()
            beneficiary = await service.beneficiary_for(viewer, community.id, form.get("for_phone"))
            photo_id = await photos.save_upload(form.file("photo"))
            wish_id = await service.submit_wish(
                viewer,
                community.id,
                beneficiary,
                form.get("title"),
                form.get("description"),
                form.get("category"),
                form.int("value_yuan"),
                now_of(request),
                photo_id=photo_id,
            )
        except DomainError as refused:
            await once.refused()
            await photos.discard(photo_id)
            form.refuse(refused, "photo" if isinstance(refused, BadPhoto) else "title")
        else:
            await once.done(f"/c/{slug}/wishes/{wish_id}/")
            pages.tell_done(request, f"/c/{slug}/wishes/{wish_id}/", NEW)
            return see_other(f"/c/{slug}/wishes/{wish_id}/")
        return render(
            request,
            "wishes/new.html",
            community=community,
            form=form,
            categories=CATEGORIES,
            cap=await service.value_cap(community.id),
            for_others=service.can_post_for_others(viewer, community.id),
            status=422,
        )

    @get("/report", guards=[signed_in])
    async def report_page(
        self, request: Request, viewer: SignedIn, slug: FromPath[str]
    ) -> Template:
        community = await places.community_or_404(slug)
        return render(
            request,
            "wishes/report.html",
            community=community,
            form=Form({"name": viewer.name, "contact_phone": viewer.phone}),
            mine=await queries.my_report(viewer.id, community.id),
        )

    @post("/report", guards=[signed_in], request_max_body_size=UPLOAD_MAX_BODY)
    async def report(
        self, request: Request, viewer: SignedIn, slug: FromPath[str]
    ) -> Template | Redirect:
        community = await places.community_or_404(slug)
        form = await Form.read(request, forms.REPORT)
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            return see_other(made)
        photo_id = None
        try:
            form.check()
            photo_id = await photos.save_upload(form.file("photo"))
            await service.report(
                viewer.id,
                community.id,
                form.get("kind"),
                form.get("name"),
                form.get("work_unit"),
                form.get("party_branch"),
                form.get("contact_phone"),
                photo_id=photo_id,
            )
        except DomainError as refused:
            await once.refused()
            await photos.discard(photo_id)
            form.refuse(refused, "photo")
        else:
            await once.done(f"/c/{slug}/wishes/report")
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

    async def _queue(
        self,
        request: Request,
        *,
        settings_form: Form | None = None,
        saved: bool = False,
        status: int = 200,
        revoke: int | None = None,
    ) -> Template:
        """The staff page, or only its settings form for htmx (which needs none of the rest).
        With `revoke`, the page asking once more before a helper's report is revoked."""
        community = request.state["community"]
        cap = await service.value_cap(community.id)
        context: dict = {
            "community": community,
            "cap": cap,
            "settings_form": settings_form or Form({"value_cap": str(cap)}),
            "saved": saved,
            "done": told_done(request, request.url.path),
        }
        if not wants_fragment(request):
            now = now_of(request)
            figures = await queries.figures(community.id)
            revoking = next((h for h in figures.helpers if h.id == revoke), None)
            if revoke is not None and revoking is None:
                raise NotFound(_("没有这条报到记录，或者它已经被撤销了。"))
            context.update(
                review=await queries.review_queue(community.id),
                reports=await queries.pending_reports(community.id),
                due=await queries.claims_due(community.id, now + timedelta(days=2)),
                figures=figures,
                revoking=revoking,
                revoke_move=REPORTS.moves[ReportVerb.REVOKE],
                now=now,
            )
        return render(
            request,
            "wishes/staff.html",
            fragment="wishes/_settings.html",
            status=status,
            **context,
        )

    @get("/")
    async def queue(
        self, request: Request, slug: FromPath[str], saved: FromQuery[str] = ""
    ) -> Template:
        return await self._queue(request, saved=saved == "1")

    @get("/reports/{helper_id:int}/revoke")
    async def confirm_revoke(
        self, request: Request, slug: FromPath[str], helper_id: FromPath[Id]
    ) -> Template:
        """撤销报到, asked once more: what it loses, and the form (with the reason) that does
        it. Nothing changes here."""
        return await self._queue(request, revoke=helper_id)

    @post("/settings")
    async def save_settings(
        self, request: Request, viewer: SignedIn, slug: FromPath[str]
    ) -> Template | Redirect:
        """The community's own value cap for a wish."""
        form = await Form.read(request, forms.SETTINGS)
        cap = form.int("value_cap")
        form.error("value_cap", service.check_value_cap(cap))
        if not form.ok or cap is None:
            return await self._queue(request, settings_form=form, status=422)
        await service.set_value_cap(viewer, request.state["community"].id, cap, now_of(request))
        if wants_fragment(request):
            return await self._queue(request, saved=True)
        return see_other(f"/staff/c/{slug}/wishes/?saved=1#settings")

    @get("/figures.csv")
    async def figures_csv(self, request: Request, slug: FromPath[str]) -> Response[bytes]:
        community_id = request.state["community"].id
        figures = await queries.figures(community_id)
        rows: list[list] = [[_("认领人"), _("身份"), _("认领次数"), _("完成次数")]]
        rows += [[h.name, h.kind, h.claimed, h.fulfilled] for h in figures.helpers]
        rows += [
            [],
            [_("已发布心愿"), figures.published],
            [_("已实现（含已确认）"), figures.done],
            [_("报到党员"), figures.verified_members],
            [_("人均实现心愿"), figures.per_member],
            [_("发布到确认平均天数"), figures.average_days or ""],
        ]
        return csv_response(rows, f"{slug}-wishes.csv")

    @post("/reports/{helper_id:int}")
    async def decide(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], helper_id: FromPath[Id]
    ) -> Redirect:
        form = await Form.read(request, forms.DECIDE)
        form.check()  # nothing to show the form again in: a refusal is a page of its own
        verified = form.get("decision") == "verify"
        await service.decide_report(
            viewer, helper_id, verified, now_of(request), reason=form.get("reason")
        )
        if verified:
            made = ReportVerb.VERIFY
        else:
            made = ReportVerb.REVOKE if form.get("step") == ReportVerb.REVOKE else ReportVerb.REFUSE
        pages.tell_done(request, f"/staff/c/{slug}/wishes/", made)
        return see_other(f"/staff/c/{slug}/wishes/")


ROLLUP_HEADER = [
    _("已发布心愿"),
    _("正在认领"),
    _("已实现（含已确认）"),
    _("已确认"),
    _("报到党员"),
    _("人均实现心愿"),
    _("发布到确认平均天数"),
]


def _rollup_rows(rollup: queries.Rollup, area: str) -> list[list]:
    def numbers(c: queries.Counts) -> list:
        return [
            c.published,
            c.claimed,
            c.done,
            c.confirmed,
            c.verified_members,
            c.per_member,
            "" if c.average_days is None else c.average_days,
        ]

    rows: list[list] = [[area, *ROLLUP_HEADER]]
    rows += [[r.name, *numbers(r.counts)] for r in rollup.rows]
    rows.append([_("合计"), *numbers(rollup.total)])
    return rows


class WishFiguresController(Controller):
    """The figures above a community: a street's communities for its officials, the
    district's streets for the district admin; each with its total and a CSV."""

    path = "/staff"

    @get(
        "/street/{street:str}/wishes/", guards=[requires(Role.STREET_OFFICIAL, Role.DISTRICT_ADMIN)]
    )
    async def street(self, request: Request, street: FromPath[str]) -> Template:
        place = request.state["street"]
        return render(
            request,
            "wishes/rollup.html",
            title=place.name,
            area=_("社区"),
            rollup=await queries.street_rollup(place.id),
            csv_url=f"/staff/street/{place.slug}/wishes/figures.csv",
        )

    @get(
        "/street/{street:str}/wishes/figures.csv",
        guards=[requires(Role.STREET_OFFICIAL, Role.DISTRICT_ADMIN)],
    )
    async def street_csv(self, request: Request, street: FromPath[str]) -> Response[bytes]:
        place = request.state["street"]
        rollup = await queries.street_rollup(place.id)
        return csv_response(_rollup_rows(rollup, _("社区")), f"{place.slug}-wishes.csv")

    @get("/wishes/", guards=[requires(Role.DISTRICT_ADMIN)])
    async def district(self, request: Request) -> Template:
        return render(
            request,
            "wishes/rollup.html",
            title=await places.district_name(),
            area=_("街道"),
            rollup=await queries.district_rollup(),
            csv_url="/staff/wishes/figures.csv",
        )

    @get("/wishes/figures.csv", guards=[requires(Role.DISTRICT_ADMIN)])
    async def district_csv(self, request: Request) -> Response[bytes]:
        rollup = await queries.district_rollup()
        return csv_response(_rollup_rows(rollup, _("街道")), "district-wishes.csv")
