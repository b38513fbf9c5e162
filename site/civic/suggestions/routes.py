"""The public side of 意见箱: the board, filing a case, a case by its tracking code, rating."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.viewer import SOMEONE, MaybeSignedIn, Viewer
from civic.errors import DomainError, InvalidTransition, NotAllowed, NotFound, Throttled
from civic.notices.pdf import pdf_response, render_pdf
from civic.notices.qr import qr_svg
from civic.photos import service as photos
from civic.photos.web import PHOTO_ROUTE_OPT, UPLOAD_MAX_BODY, photo_response
from civic.places import service as places
from civic.places.service import CommunityInfo
from civic.settings import CaseClocks
from civic.suggestions import forms, queries, report, service
from civic.suggestions.tables import Case
from civic.suggestions.workflow import (
    LEVEL_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    VERB_LABELS,
    L,
    Party,
    S,
    Verb,
    confirm_text,
    done_notice,
    staff_steps,
)
from civic.web import codes, pages
from civic.web.client import client_address
from civic.web.errors import typed_kept
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.inputs import Id, PageNumber, TypedCode
from civic.web.once import FIELD as ONCE
from civic.web.once import once_of
from civic.web.pages import now_of, render, safe_next, see_other, wants_fragment
from civic.web.quota import Quota
from civic.web.sessions import renew_session
from civic.web.shared_views import seen_as

CATEGORIES = [(c.value, c.value) for c in Case.Category]
PROVEN = "cases"  # session key: codes this browser filed, or proved with the phone's digits
CODE_MISSES = 20  # wrong codes per address in 15 minutes
DIGIT_MISSES = 5  # wrong phone digits per case in 15 minutes


def clocks_of(request: Request) -> CaseClocks:
    return request.app.state.settings.cases


def _address(request: Request) -> str:
    return client_address(request)


def _quota(request: Request, limit: int, window: int, message: str) -> Quota:
    return Quota(request.app.stores.get("quota"), limit, window, message)


def _filing_quota(request: Request, visitor: Viewer | None, community_id: int) -> tuple[Quota, str]:
    """How filings are counted, chosen from who is filing: a signed-in person by their own
    account wherever they are (a grid worker on the community office's shared Wi-Fi is not
    counted with everyone else on it), with a higher limit for those who file for residents;
    only a visitor, who has nothing else to be known by, by address."""
    limits = request.app.state.settings.security
    if visitor is None:
        limit, key = limits.filings_per_hour_per_address, f"file:{_address(request)}"
        message = _("这个网络一小时内提交得太多了，请 {minutes} 分钟后再提交。您写的内容还在下面。")
    else:
        key = f"file-person:{visitor.id}"
        limit = (
            limits.filings_per_hour_for_others
            if service.can_file_for_others(visitor, community_id)
            else limits.filings_per_hour_per_person
        )
        message = _("您一小时内提交得太多了，请 {minutes} 分钟后再提交。您写的内容还在下面。")
    return _quota(request, limit, 3600, message), key


def _proven(request: Request, code: str) -> bool:
    session = request.scope.get("session")
    return isinstance(session, dict) and code in session.get(PROVEN, [])


def told_done(request: Request, path: str) -> str:
    """The step taken just before coming to `path`, said in words, once; "" otherwise."""
    verb = pages.told_done(request, path)
    return done_notice(verb) if verb else ""


def _remember(request: Request, code: str) -> None:
    session = request.scope.get("session")
    kept = session if isinstance(session, dict) else {}
    known = list(kept.get(PROVEN, []))
    renew_session(request, {**kept, PROVEN: [*known[-19:], code]})


async def report_response(
    request: Request,
    *,
    scope: str,
    month: str,
    pdf: bool,
    reader: report.Reader,
    back: tuple[str, str],
    community_id: int | None = None,
    street_id: int | None = None,
) -> Template | Response[bytes]:
    """A month's report as a page or an A4 PDF, showing what `reader` may see."""
    now = now_of(request)
    chosen = report.parse_month(month, now)
    built = await report.build(
        chosen, now, community_id=community_id, street_id=street_id, scope=scope, reader=reader
    )
    context: dict[str, Any] = {"report": built, "now": now}
    if pdf:
        rendered = await render_pdf(request, "suggestions/report.pdf.html", **context)
        return pdf_response(rendered, f"report-{chosen:%Y-%m}.pdf")
    return render(
        request,
        "suggestions/report.html",
        months=report.recent_months(now),
        pdf_url=request.url.path.removesuffix("/") + ".pdf",
        back=back,
        **context,
    )


class SuggestionController(Controller):
    path = "/c/{slug:str}/suggestions"

    @get("/")
    async def board(
        self,
        request: Request,
        slug: FromPath[str],
        visitor: MaybeSignedIn,
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        page: FromQuery[PageNumber] = 1,
    ) -> Template | Response[bytes]:
        async def board_page(_seen_by: Viewer | None) -> Template:
            community = await places.community_or_404(slug)
            now = now_of(request)
            board = await queries.board(community.id, now, status, category, page)
            return render(
                request,
                "suggestions/board.html",
                fragment="suggestions/_board_list.html",
                community=community,
                board=board,
                states=[(s.value, STATUS_LABELS[s]) for s in S],
                categories=CATEGORIES,
                state=status,
                category=category,
                page=max(page, 1),
                now=now,
            )

        # The board is the same for everyone (web/shared_views.py).
        return await seen_as(request, visitor, SOMEONE, board_page)

    async def _form_page(
        self,
        request: Request,
        viewer: Viewer | None,
        community: CommunityInfo,
        form: Form,
        status: int = 200,
        notice: str = "",
    ) -> Template:
        buildings = await places.buildings_of(community.id)
        return render(
            request,
            "suggestions/new.html",
            community=community,
            form=form,
            categories=CATEGORIES,
            buildings=[(b["id"], b["name"]) for b in buildings],
            representatives=[
                (r["id"], r["name"])
                for r in await accounts.holders(Role.PARTY_REPRESENTATIVE, community.id)
            ],
            for_others=service.can_file_for_others(viewer, community.id),
            notice=notice,
            status=status,
        )

    @get(["/report", "/report.pdf"])
    async def public_report(
        self,
        request: Request,
        slug: FromPath[str],
        visitor: MaybeSignedIn,
        month: FromQuery[str] = "",
    ) -> Template | Response[bytes]:
        """向群众汇报: the month's figures with no personal detail, to read or to post up."""

        async def report_page(_seen_by: Viewer | None) -> Template | Response[bytes]:
            community = await places.community_or_404(slug)
            return await report_response(
                request,
                scope=community.name,
                month=month,
                pdf=request.url.path.endswith(".pdf"),
                reader=report.Reader.PUBLIC,
                back=(f"/c/{slug}/suggestions/", _("意见箱")),
                community_id=community.id,
            )

        if request.url.path.endswith(".pdf"):
            return await report_page(visitor)
        # The public report is the same for everyone (web/shared_views.py).
        return await seen_as(request, visitor, SOMEONE, report_page)

    @get("/new")
    async def new_page(
        self,
        request: Request,
        visitor: MaybeSignedIn,
        slug: FromPath[str],
        to: FromQuery[str] = "",
    ) -> Template:
        community = await places.community_or_404(slug)
        form = Form({"to": to})  # public or not: nothing chosen until the person chooses
        if typed := typed_kept(request, f"/c/{slug}/suggestions/new"):
            form = Form(typed)
            form.error("photos", _("照片太大了，请换小一点的照片，其他内容已经保留。"))
        return await self._form_page(request, visitor, community, form)

    @post("/new", request_max_body_size=UPLOAD_MAX_BODY * 2)
    async def file(
        self, request: Request, visitor: MaybeSignedIn, slug: FromPath[str]
    ) -> Template | Redirect:
        community = await places.community_or_404(slug)
        form = await Form.read(request, forms.FILE)
        phone = accounts.normalise_phone(form.get("phone"))
        for name, message in service.check_case(
            form.get("category"), form.get("text"), form.get("place"), phone
        ).items():
            form.error(name, message)
        uploads = [
            u for u in (await request.form()).getall("photos", []) if isinstance(u, UploadFile)
        ]
        form.error("public", forms.public_choice_error(form.get("public")))
        if len(uploads) > service.MAX_PHOTOS:
            form.error("photos", _("最多选 {n} 张照片。").format(n=service.MAX_PHOTOS))
        if not form.ok:
            return await self._form_page(request, visitor, community, form, 422)
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            return see_other(made)
        photo_ids: list[int] = []
        quota, key = _filing_quota(request, visitor, community.id)
        try:
            await quota.take(key)
            for upload in uploads:
                photo_id = await photos.save_upload(upload)
                if photo_id is not None:
                    photo_ids.append(photo_id)
            code = await service.file_case(
                visitor,
                community.id,
                category=form.get("category"),
                text=form.get("text"),
                now=now_of(request),
                building_id=form.int("building"),
                place=form.get("place"),
                is_public=form.get("public") == forms.PUBLIC,
                representative_id=form.int("to"),
                name=form.get("name"),
                phone=phone,
                photo_ids=photo_ids,
                clocks=clocks_of(request),
            )
        except DomainError as refused:
            await once.refused()
            for photo_id in photo_ids:
                await photos.discard(photo_id)
            if not isinstance(refused, Throttled):
                await quota.give_back(key)  # nothing was filed
            if isinstance(refused, photos.BadPhoto):
                form.error("photos", refused.message)
            return await self._form_page(
                request, visitor, community, form, refused.status_code, refused.message
            )
        if visitor is None:
            _remember(request, code)
        await once.done(f"/s/{code}?filed=1")
        return see_other(f"/s/{code}?filed=1")


class CaseController(Controller):
    """A case by its tracking code: printed on the receipt, typed on any phone."""

    path = "/s"

    @get("/")
    async def lookup(self, request: Request, code: FromQuery[str] = "") -> Template | Redirect:
        if not code:
            return render(request, "suggestions/lookup.html", form=Form(), message="")
        wanted = codes.normalise(code)
        quota = _quota(
            request, CODE_MISSES, 15 * 60, _("查询码输错太多次了，请 {minutes} 分钟后再试。")
        )
        key = f"code:{_address(request)}"
        await quota.take(key)
        if codes.is_well_formed(wanted) and await Case.exists().where(Case.code == wanted):
            await quota.give_back(key)
            return see_other(f"/s/{wanted}")
        return render(
            request,
            "suggestions/lookup.html",
            form=Form({"code": code}),
            message=_("没有找到这个查询码，请核对回执上的 8 位查询码。"),
            status=404,
        )

    async def _read(
        self, request: Request, viewer: Viewer | None, code: str
    ) -> tuple[queries.CasePage, service.CaseRef, set[Party], list[Verb], list[Verb]]:
        """The case as the viewer stands to it, and the staff steps they can take now: the
        primary ones, and the rest (更多操作)."""
        now = now_of(request)
        page = await queries.case_page(code, now)
        if page is None:
            raise NotFound(_("没有找到这个查询码，请核对回执上的 8 位查询码。"))
        case = service.CaseRef(page.case, page.case["street_id"])
        await service.link_filer(viewer, case)
        found = service.parties(viewer, case, _proven(request, code))
        primary, more = staff_steps(case.status, case.level, found)
        return page, case, found, primary, more

    async def _page(
        self,
        request: Request,
        viewer: Viewer | None,
        code: str,
        *,
        notice: str = "",
        done: str = "",
        status: int = 200,
        form: Form | None = None,
    ) -> Template:
        page, case, found, primary, more = await self._read(request, viewer, code)
        proven = _proven(request, code)
        staff = service.is_staff_of(viewer, case)
        sees = service.may_see_content(viewer, case, proven)
        return render(
            request,
            "suggestions/case.html",
            page=page,
            row=page.row,
            timeline=page.timeline(staff, sees=sees),
            sees=sees,
            staff=staff,
            is_filer=Party.FILER in found,
            may_rate=Party.FILER in found and case.status is S.FEEDBACK,
            primary=primary,
            more=more,
            confirms={v: confirm_text(v) for v in more},
            done=done,
            **await self._step_context(case, [*primary, *more]),
            ratings=list(RATING_LABELS.items()),
            filed=request.query_params.get("filed") == "1",
            notice=notice,
            form=form or Form(),
            now=now_of(request),
            status=status,
        )

    async def _step_context(self, case: service.CaseRef, verbs: list[Verb]) -> dict[str, Any]:
        """What the forms of these steps need: labels, and the departments a street may
        blow the whistle to."""
        departments = (
            await places.departments() if Verb.ESCALATE in verbs and case.level is L.STREET else []
        )
        return {
            "verb_labels": VERB_LABELS,
            "departments": departments,
            "level": case.level,
            "level_labels": LEVEL_LABELS,
        }

    @get("/{code:str}")
    async def case(
        self,
        request: Request,
        visitor: MaybeSignedIn,
        code: FromPath[TypedCode],
    ) -> Template | Redirect | Response[bytes]:
        wanted = codes.normalise(code)
        if wanted != code and codes.is_well_formed(wanted):
            return see_other(f"/s/{wanted}")
        if not codes.is_well_formed(wanted):
            raise NotFound(_("没有找到这个查询码，请核对回执上的 8 位查询码。"))
        done = told_done(request, f"/s/{wanted}")

        async def case_page(seen_by: Viewer | None) -> Template:
            return await self._page(request, seen_by, wanted, done=done)

        # Someone who is nobody to the case sees what anyone signed in sees (web/shared_views.py).
        audience = visitor
        if visitor is not None and not done and not _proven(request, wanted):
            row = await queries.case_by_code(wanted)
            if row is not None and service.is_nobody_to(
                visitor, service.CaseRef(row, row["street_id"])
            ):
                audience = SOMEONE
        return await seen_as(request, visitor, audience, case_page)

    @get("/{code:str}/confirm")
    async def confirm(
        self,
        request: Request,
        visitor: MaybeSignedIn,
        code: FromPath[TypedCode],
        step: FromQuery[forms.Confirmable] = "",
    ) -> Template | Redirect:
        """A step that loses something, asked once more: what will happen, and the form that
        takes the step. Nothing changes here; with htmx, the same section in place."""
        if not step:
            return see_other(f"/s/{code}")
        page, case, _found, primary, more = await self._read(request, visitor, code)
        verb = Verb(step)
        if verb not in (*primary, *more):
            if not service.is_staff_of(visitor, case):
                raise NotAllowed(_("您现在不能这样处理这件事。"))
            raise InvalidTransition(
                _("这件事现在是“{state}”，不能再这样处理。").format(state=page.row.label)
            )
        return render(
            request,
            "suggestions/confirm.html",
            fragment="suggestions/_confirm.html",
            page=page,
            row=page.row,
            verb=verb,
            what=confirm_text(verb),
            form=Form(),
            **await self._step_context(case, [verb]),
        )

    @post("/{code:str}/verify")
    async def verify(
        self, request: Request, visitor: MaybeSignedIn, code: FromPath[TypedCode]
    ) -> Template | Redirect:
        """The filer proves who they are with the last four digits of their phone."""
        form = await Form.read(request, forms.VERIFY)
        quota = _quota(request, DIGIT_MISSES, 15 * 60, _("输错太多次了，请 {minutes} 分钟后再试。"))
        key = f"digits:{code}"
        await quota.take(key)
        case = await service.load(code)
        if service.proves_filer(case, form.get("last4")):
            await quota.give_back(key)
            _remember(request, code)
            return see_other(f"/s/{code}")
        form.error("last4", _("号码不对。请输入提交时留的手机号的最后四位。"))
        return await self._page(request, visitor, code, form=form, status=422)

    @post("/{code:str}/rate")
    async def rate(
        self, request: Request, visitor: MaybeSignedIn, code: FromPath[TypedCode]
    ) -> Template | Redirect:
        form = await Form.read(request, forms.RATE)
        try:
            form.check()
            await service.rate(
                visitor,
                code,
                form.get("rating"),
                now_of(request),
                comment=form.get("comment"),
                proven=_proven(request, code),
                clocks=clocks_of(request),
            )
        except DomainError as refused:
            return await self._page(
                request,
                visitor,
                code,
                notice=refused.message,
                status=refused.status_code,
                form=form,
            )
        pages.tell_done(request, f"/s/{code}", Verb.RATE)
        return see_other(f"/s/{code}")

    @post("/{code:str}/act")
    async def act(
        self, request: Request, visitor: MaybeSignedIn, code: FromPath[TypedCode]
    ) -> Template | Redirect:
        """A staff step. From a queue row with htmx, the answer is that row, updated."""
        form = await Form.read(request, forms.ACT)
        back = safe_next(form.get("next"), f"/s/{code}")
        once = once_of(request, form.get(ONCE))
        if await once.claim():  # the same step sent again: show where the case stands now
            return await self._after_step(request, visitor, code, back)
        try:
            form.check()
            verb = Verb(form.get("verb"))
            await service.act(
                visitor,
                code,
                verb,
                now_of(request),
                note=form.get("note"),
                department_id=form.int("department"),
                original_code=form.get("original"),
                clocks=clocks_of(request),
            )
        except ValueError:
            return await self._page(
                request, visitor, code, notice=_("请选择操作。"), status=422, form=form
            )
        except DomainError as refused:
            await once.refused()
            # The queue row carries the case's words: only its staff get it back, everyone else
            # the refusal alone.
            if wants_fragment(request) and service.is_staff_of(visitor, await service.load(code)):
                return await self._row(request, code, back, refused.message, refused.status_code)
            return await self._page(
                request,
                visitor,
                code,
                notice=refused.message,
                status=refused.status_code,
                form=form,
            )
        await once.done(back)
        return await self._after_step(request, visitor, code, back, verb)

    async def _after_step(
        self,
        request: Request,
        visitor: Viewer | None,
        code: str,
        back: str,
        verb: Verb | None = None,
    ) -> Template | Redirect:
        """After a step: the queue row it was taken from (htmx, for the case's staff), or
        the page it was taken on, saying what was done."""
        if wants_fragment(request) and service.is_staff_of(visitor, await service.load(code)):
            return await self._row(request, code, back, done=done_notice(verb) if verb else "")
        if verb:
            pages.tell_done(request, back, verb)
        return see_other(back)

    async def _row(
        self,
        request: Request,
        code: str,
        back: str,
        notice: str = "",
        status: int = 200,
        done: str = "",
    ) -> Template:
        """The queue row after a step, marked to take the focus once swapped in. A street's
        or department's desk names the community the case is from; a community's own not."""
        now = now_of(request)
        row = await queries.queue_row(code, now)
        return render(
            request,
            "suggestions/_queue_row.html",
            row=row,
            notice=notice,
            done=done,
            now=now,
            back=back,
            show_community=not back.startswith("/staff/c/"),
            swapped=True,
            status=status,
        )

    @get("/{code:str}/photos/{n:int}", opt=PHOTO_ROUTE_OPT)
    async def photo(
        self, request: Request, visitor: MaybeSignedIn, code: FromPath[TypedCode], n: FromPath[Id]
    ) -> Response:
        """A case's photo, only for whoever may see the case's content."""
        case = await service.load(code)
        if not service.may_see_content(visitor, case, _proven(request, code)):
            raise NotFound(_("没有这张照片。"))
        photo = await queries.case_photo(case.row["id"], n - 1)
        if photo is None:
            raise NotFound(_("没有这张照片。"))
        return photo_response(photo)

    @get("/{code:str}/receipt.pdf")
    async def receipt(self, request: Request, code: FromPath[TypedCode]) -> Response[bytes]:
        """The printable receipt: the code, how to look it up, and a QR code of the case."""
        page = await queries.case_page(code, now_of(request))
        if page is None:
            raise NotFound(_("没有找到这个查询码，请核对回执上的 8 位查询码。"))
        url = f"{request.app.state.settings.base_url}/s/{code}"
        pdf = await render_pdf(
            request,
            "suggestions/receipt.pdf.html",
            page=page,
            code=codes.shown(code),
            url=url,
            qr=qr_svg(url),
        )
        return pdf_response(pdf, f"receipt-{code}.pdf")
