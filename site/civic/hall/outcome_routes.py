"""A topic's outcome: the convention's articles (moderators), signing it (residents in scope),
the meetings held on it (moderators), and the outcome page and its A4 PDF for the notice
board. Each form is a plain POST answering 303 to the topic page; htmx gets the part of the
page it replaces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from civic.accounts.guards import signed_in
from civic.accounts.viewer import MaybeSignedIn, SignedIn, Viewer
from civic.errors import DomainError, Invalid, NotFound
from civic.hall import forms, outcome, queries, votes
from civic.hall.workflow import STATUS_LABELS, S
from civic.notices.pdf import pdf_response, render_pdf
from civic.notices.qr import qr_svg
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.inputs import Id
from civic.web.once import FIELD as ONCE
from civic.web.once import once_of
from civic.web.pages import now_of, render, see_other, wants_fragment
from civic.web.templating import local_time

STAMPS = (
    (S.COLLECTING, "accepted_at"),
    (S.DELIBERATING, "deliberating_at"),
    (S.VOTING, "voting_at"),
    (S.PUBLISHED, "published_at"),
)
MINUTES_EXCERPT = 120
"""Characters of each meeting's minutes the PDF shows; the page shows them whole. A notice
embeds a glyph for every different character, about 200 bytes each."""


def stage_dates(topic: dict[str, Any]) -> list[tuple[str, datetime]]:
    """When the topic entered each stage it went through: (stage, when)."""
    return [(STATUS_LABELS[s], topic[key]) for s, key in STAMPS if topic.get(key)]


async def _context(
    request: Request, viewer: Viewer | None, slug: str, topic_id: int
) -> dict[str, Any]:
    """What the outcome page and the fragments show: the topic, its outcome and meetings."""
    community, topic, standing = await queries.topic_for(slug, topic_id, viewer)
    return {
        "community": community,
        "topic": topic,
        "standing": standing,
        "viewer": viewer,
        "outcome": await outcome.view(topic, standing),
        "meetings": await outcome.meetings(topic),
        "dates": stage_dates(topic),
        "vote": await votes.view(topic, standing, now_of(request)),
        "topic_url": f"/c/{slug}/hall/{topic_id}/",
    }


async def _published(request: Request, viewer: Viewer | None, slug: str, topic_id: int) -> dict:
    context = await _context(request, viewer, slug, topic_id)
    if context["topic"]["status"] != S.PUBLISHED:
        raise NotFound(_("议题公示以后才有结果页。"))
    return context


async def _answer(
    request: Request,
    viewer: Viewer,
    slug: str,
    topic_id: int,
    fragment: str,
    status: int = 200,
    **extra: Any,
) -> Template:
    """The part of the page a form replaces, for htmx; or, when a plain form was refused for
    what was typed, the outcome page with the form again and what was typed kept."""
    context = await _context(request, viewer, slug, topic_id)
    return render(
        request, "hall/outcome.html", fragment=fragment, status=status, **context, **extra
    )


async def _refused(
    request: Request,
    viewer: Viewer,
    slug: str,
    topic_id: int,
    fragment: str,
    refused: DomainError,
    **form: Form,
) -> Template:
    """A refused form: what was typed is shown again with a message under each field; any
    other refusal is, for htmx, a notice in the part of the page, and otherwise a page of its
    own (the error page, in Chinese, with the refusal's status)."""
    if isinstance(refused, Invalid):
        return await _answer(request, viewer, slug, topic_id, fragment, 422, **form)
    if not wants_fragment(request):
        raise refused
    return await _answer(
        request,
        viewer,
        slug,
        topic_id,
        fragment,
        refused.status_code,
        notice=refused.message,
        refused=True,
    )


class OutcomeController(Controller):
    path = "/c/{slug:str}/hall/{topic_id:int}"

    @post("/articles", guards=[signed_in])
    async def articles(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """The convention's articles, one a line, in place of those before."""
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        form = await Form.read(request, forms.ARTICLES)
        try:
            form.check()
            texts = outcome.articles_from_text(form.get("articles"))
            await outcome.set_articles(viewer, topic, texts, now_of(request))
        except DomainError as refused:
            form.refuse(refused, "articles")
            return await _refused(
                request, viewer, slug, topic_id, "hall/_outcome.html", refused, articles_form=form
            )
        if wants_fragment(request):
            return await _answer(
                request, viewer, slug, topic_id, "hall/_outcome.html", notice=_("条文已保存。")
            )
        return see_other(f"/c/{slug}/hall/{topic_id}/#outcome")

    @post("/sign", guards=[signed_in])
    async def sign(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """签署: once; a second tap is shown the signature it already made."""
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        notice = _("谢谢您签署这份公约。")
        try:
            await outcome.sign(viewer, topic, now_of(request))
        except outcome.AlreadySigned as signed:
            notice = signed.message
        except DomainError as refused:
            return await _refused(request, viewer, slug, topic_id, "hall/_outcome.html", refused)
        if wants_fragment(request):
            return await _answer(
                request, viewer, slug, topic_id, "hall/_outcome.html", notice=notice
            )
        return see_other(f"/c/{slug}/hall/{topic_id}/#outcome")

    @post("/meetings", guards=[signed_in])
    async def meeting(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """A meeting held on the topic: recorded once however often the form is sent."""
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        form = await Form.read(request, forms.MEETING)
        done = f"/c/{slug}/hall/{topic_id}/#meetings"
        once = once_of(request, form.get(ONCE))
        if await once.claim():
            if wants_fragment(request):
                return await _answer(request, viewer, slug, topic_id, "hall/_meetings.html")
            return see_other(done)
        try:
            form.check()
            await outcome.record_meeting(
                viewer,
                topic,
                form.get("kind"),
                form.get("held_on"),
                form.get("place"),
                form.get("attended"),
                form.get("minutes"),
                now_of(request),
            )
        except DomainError as refused:
            await once.refused()
            form.refuse(refused, "kind")
            return await _refused(
                request, viewer, slug, topic_id, "hall/_meetings.html", refused, meeting_form=form
            )
        await once.done(done)
        if wants_fragment(request):
            return await _answer(
                request, viewer, slug, topic_id, "hall/_meetings.html", notice=_("会议已记录。")
            )
        return see_other(done)

    @get("/signatures")
    async def signatures(
        self, request: Request, visitor: MaybeSignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Response[bytes]:
        """The outcome's part of the page, which a published convention's page polls for its
        live count: a poll that finds the topic unchanged is an empty 304 after one query."""
        community, topic, standing = await queries.topic_for(slug, topic_id, visitor)
        if topic["status"] != S.PUBLISHED:
            raise NotFound(_("议题公示以后才有结果页。"))
        who = visitor.id if visitor else "-"
        tag = f'W/"s{topic_id}.{topic["changed"]}.{who}"'
        headers = {"ETag": tag, "Cache-Control": "private, no-cache", "Vary": "Cookie"}
        sent = request.headers.get("if-none-match", "")
        if tag in (t.strip() for t in sent.split(",")):
            return Response(b"", status_code=304, headers=headers)
        return render(
            request,
            "hall/_outcome.html",
            headers=headers,
            community=community,
            topic=topic,
            standing=standing,
            outcome=await outcome.view(topic, standing),
        )

    @get("/outcome")
    async def page(
        self, request: Request, visitor: MaybeSignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template:
        """The outcome page: what was decided or agreed, how, and when; with its PDF."""
        context = await _published(request, visitor, slug, topic_id)
        return render(request, "hall/outcome.html", **context)

    @get("/outcome.pdf")
    async def pdf(
        self, request: Request, visitor: MaybeSignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Response[bytes]:
        """The outcome on A4 for the notice board, the same for everyone (it is posted up):
        no signer is named, only counted; a QR code leads back to the topic."""
        context = await _published(request, None, slug, topic_id)
        url = f"{request.app.state.settings.base_url}{context['topic_url']}"
        rendered = await render_pdf(
            request,
            "hall/outcome.pdf.html",
            **context,
            published=local_time(context["topic"]["published_at"], "%Y年%m月%d日"),
            qr=qr_svg(url),
            url=url,
            minutes_excerpt=MINUTES_EXCERPT,
        )
        return pdf_response(rendered, f"outcome-{topic_id}.pdf")
