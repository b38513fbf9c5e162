"""A topic's posts over HTTP: posting and replying, editing, reporting, hiding; and the posts
fragment the topic page polls, answered 304 when nothing changed for this viewer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts.guards import signed_in
from civic.accounts.viewer import MaybeSignedIn, SignedIn, Viewer
from civic.errors import DomainError, Invalid
from civic.hall import forms, posts, queries, service
from civic.places.service import CommunityInfo
from civic.web.forms import Fields, Form
from civic.web.inputs import MAX_PAGE, Id, PageNumber, whole_number
from civic.web.once import FIELD as ONCE
from civic.web.once import once_of
from civic.web.pages import is_htmx, now_of, render, see_other
from civic.web.templating import TEMPLATES

FRAGMENT = "hall/_posts.html"
TOPIC_PAGE = "hall/topic.html"
CACHE = "private, no-cache"


def _page_of(form: Form) -> int:
    typed = whole_number(form.get("page")) or 1
    return min(max(typed, 1), MAX_PAGE)


def _where(slug: str, topic_id: int, page: int, post_id: int | None = None) -> str:
    query = f"?page={page}" if page > 1 else ""
    anchor = f"#post-{post_id}" if post_id else "#posts"
    return f"/c/{slug}/hall/{topic_id}/{query}{anchor}"


def _status(refused: DomainError) -> int:
    """What was typed breaks a rule: 422, the form shown again; otherwise the refusal's own."""
    return 422 if isinstance(refused, Invalid) else refused.status_code


def _matches(request: Request, tag: str) -> bool:
    sent = request.headers.get("if-none-match", "")
    return any(t.strip() in (tag, "*") for t in sent.split(",")) if sent else False


class PostController(Controller):
    path = "/c/{slug:str}/hall/{topic_id:int}"

    async def _load(
        self, slug: str, topic_id: int, viewer: Viewer | None
    ) -> tuple[CommunityInfo, dict[str, Any], service.Standing]:
        return await queries.topic_for(slug, topic_id, viewer)

    async def _shown(
        self,
        request: Request,
        viewer: Viewer | None,
        slug: str,
        topic_id: int,
        page: int,
        *,
        form: Form | None = None,
        status: int = 200,
    ) -> Template:
        """The posts as they are now: the fragment for htmx; for a refused form without
        JavaScript, the topic page with the form again (or the fragment alone until the topic
        page exists)."""
        community, topic, standing = await self._load(slug, topic_id, viewer)
        shown = await posts.page(topic, standing, page, now_of(request))
        context: dict[str, Any] = {
            "community": community,
            "topic": topic,
            "standing": standing,
            "posts": shown,
        }
        if form is not None:
            context["post_form"] = form
        if not is_htmx(request) and (TEMPLATES / TOPIC_PAGE).exists():
            from civic.hall.page import topic_context  # the lead's page, when it is there

            context = {
                **await topic_context(request, viewer, slug, topic_id, page),
                **context,
            }
            return render(request, TOPIC_PAGE, status=status, **context)
        tag = posts.etag(topic, standing, page, request.cookies.get("csrftoken", ""))
        headers = {"ETag": tag, "Cache-Control": CACHE, "Vary": "Cookie"}
        return render(request, FRAGMENT, status=status, headers=headers, **context)

    async def _done(
        self, request: Request, viewer: Viewer, slug: str, topic_id: int, page: int, post_id: int
    ) -> Template | Redirect:
        if is_htmx(request):
            return await self._shown(request, viewer, slug, topic_id, page)
        return see_other(_where(slug, topic_id, page, post_id))

    @get("/posts")
    async def list_posts(
        self,
        request: Request,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        visitor: MaybeSignedIn,
        page: FromQuery[PageNumber] = 1,
    ) -> Template | Response[bytes]:
        """The posts fragment the topic page polls. Its ETag moves with the topic's `changed`
        column and differs per viewer, so a poll that finds nothing new costs the viewer,
        the topic and an empty 304."""
        community, topic, standing = await self._load(slug, topic_id, visitor)
        tag = posts.etag(topic, standing, page, request.cookies.get("csrftoken", ""))
        if _matches(request, tag):
            return Response(
                content=b"",
                status_code=304,
                headers={"ETag": tag, "Cache-Control": CACHE, "Vary": "Cookie"},
            )
        return render(
            request,
            FRAGMENT,
            headers={"ETag": tag, "Cache-Control": CACHE, "Vary": "Cookie"},
            community=community,
            topic=topic,
            standing=standing,
            posts=await posts.page(topic, standing, page, now_of(request)),
        )

    @post("/posts", guards=[signed_in])
    async def write(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """A new post (back to page 1, where it is at the top) or a reply (back to its post)."""
        form = await Form.read(request, forms.POST)
        parent = form.int("parent")
        page = _page_of(form) if parent else 1
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            if is_htmx(request):
                return await self._shown(request, viewer, slug, topic_id, page)
            return see_other(made)
        try:
            form.check()
            _community, topic, _standing = await self._load(slug, topic_id, viewer)
            post_id = await posts.write(
                viewer,
                topic,
                form.get("stance"),
                form.get("text"),
                now_of(request),
                parent_id=parent,
                store=request.app.stores.get("quota"),
            )
        except DomainError as refused:
            await once.refused()
            form.refuse(refused, "text")
            if parent:
                form.values.update(acting=str(parent), act="reply")
            return await self._shown(
                request, viewer, slug, topic_id, page, form=form, status=_status(refused)
            )
        if parent:
            page = await posts.page_of(topic_id, parent)
        await once.done(_where(slug, topic_id, page, post_id))
        return await self._done(request, viewer, slug, topic_id, page, post_id)

    async def _act(
        self,
        request: Request,
        viewer: Viewer,
        slug: str,
        topic_id: int,
        post_id: int,
        fields: Fields,
        act: str,
        field: str,
        do: Callable[[Form], Awaitable[None]],
    ) -> Template | Redirect:
        """One step on a post (edit, report, hide, unhide): the form read and checked, the step
        made, and the list (or the page) again; a refusal shows under that post's control."""
        form = await Form.read(request, fields)
        page = _page_of(form)
        try:
            form.check()
            await self._load(slug, topic_id, viewer)
            await do(form)
        except DomainError as refused:
            form.refuse(refused, field)
            form.values.update(acting=str(post_id), act=act)
            return await self._shown(
                request, viewer, slug, topic_id, page, form=form, status=_status(refused)
            )
        return await self._done(request, viewer, slug, topic_id, page, post_id)

    @post("/posts/{post_id:int}/edit", guards=[signed_in])
    async def edit(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        post_id: FromPath[Id],
    ) -> Template | Redirect:
        async def act(form: Form) -> None:
            await posts.edit(viewer, post_id, form.get("text"), now_of(request), topic_id=topic_id)

        return await self._act(
            request, viewer, slug, topic_id, post_id, forms.EDIT, "edit", "text", act
        )

    @post("/posts/{post_id:int}/report", guards=[signed_in])
    async def report(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        post_id: FromPath[Id],
    ) -> Template | Redirect:
        async def act(form: Form) -> None:
            await posts.report(viewer, post_id, now_of(request), topic_id=topic_id)

        return await self._act(
            request, viewer, slug, topic_id, post_id, forms.REPORT, "report", "action", act
        )

    @post("/posts/{post_id:int}/hide", guards=[signed_in])
    async def hide(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        post_id: FromPath[Id],
    ) -> Template | Redirect:
        async def act(form: Form) -> None:
            await posts.hide(
                viewer, post_id, form.get("reason"), now_of(request), topic_id=topic_id
            )

        return await self._act(
            request, viewer, slug, topic_id, post_id, forms.HIDE, "hide", "reason", act
        )

    @post("/posts/{post_id:int}/unhide", guards=[signed_in])
    async def unhide(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        post_id: FromPath[Id],
    ) -> Template | Redirect:
        async def act(form: Form) -> None:
            await posts.unhide(viewer, post_id, now_of(request), topic_id=topic_id)

        return await self._act(
            request, viewer, slug, topic_id, post_id, forms.REPORT, "unhide", "action", act
        )
