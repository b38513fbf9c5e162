"""A topic's vote: a resident votes (or changes the vote), staff enter paper ballots. Each answers
303 back to the topic's vote, or the refreshed vote fragment for htmx."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts.guards import signed_in
from civic.accounts.viewer import SignedIn, Viewer
from civic.errors import DomainError, Invalid, NotAllowed, NotFound
from civic.hall import forms, queries, votes
from civic.hall.page import topic_context
from civic.web import pages
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.inputs import Id, one_of
from civic.web.pages import now_of, render, see_other, wants_fragment


async def _vote_part(
    request: Request,
    viewer: Viewer,
    slug: str,
    topic_id: int,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    done: bool = False,
    status: int = 200,
) -> Template:
    """The vote fragment for htmx; after a refusal without JavaScript, the whole topic page
    with the refusal above the vote."""
    now = now_of(request)
    context: dict[str, Any]
    if wants_fragment(request):
        community, topic, standing = await queries.topic_for(slug, topic_id, viewer)
        context = {"community": community, "topic": topic, "standing": standing}
    else:
        context = await topic_context(request, viewer, slug, topic_id, 1)
        topic, standing = context["topic"], context["standing"]
    shown = context.get("vote") or await votes.view(topic, standing, now)
    if shown is None:
        raise NotFound(_("这个议题没有表决。"))
    context["vote"] = shown.with_notice(notice, errors, done=done)
    return render(request, "hall/topic.html", fragment="hall/_vote.html", status=status, **context)


async def _ballots(
    request: Request,
    viewer: Viewer,
    slug: str,
    topic_id: int,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    done: bool = False,
    status: int = 200,
) -> Template:
    """The paper-ballot page (or its form alone, for htmx), for moderators of a household vote
    that is open."""
    community, topic, standing = await queries.topic_for(slug, topic_id, viewer)
    if not standing.is_moderator:
        raise NotAllowed(_("只有社区工作者和议事会成员可以录入纸质票。"))
    shown = await votes.view(topic, standing, now_of(request), ballots=True)
    if shown is None or not shown.per_household:
        raise NotFound(_("这个议题没有按户表决。"))
    return render(
        request,
        "hall/ballots.html",
        fragment="hall/_ballot_form.html",
        status=status,
        community=community,
        topic=topic,
        standing=standing,
        vote=shown.with_notice(notice, errors, done=done),
    )


def _refused(refused: DomainError) -> tuple[str, dict[str, str]]:
    if isinstance(refused, Invalid):
        return refused.message, refused.errors
    return refused.message, {}


class VoteController(Controller):
    path = "/c/{slug:str}/hall/{topic_id:int}"
    guards = (signed_in,)

    @post("/vote")
    async def vote(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        form = await Form.read(request, forms.VOTE)
        try:
            form.check()
            option = form.int("option")
            if option is None:
                raise Invalid({"option": _("请选择一个选项。")})
            made = await votes.cast(viewer, topic, option, now_of(request))
        except DomainError as refused:
            notice, errors = _refused(refused)
            return await _vote_part(
                request,
                viewer,
                slug,
                topic_id,
                notice=notice,
                errors=errors,
                status=refused.status_code,
            )
        if wants_fragment(request):
            said = _("已改投。") if made == "changed" else _("已投票，谢谢参与。")
            return await _vote_part(request, viewer, slug, topic_id, notice=said, done=True)
        pages.tell_done(request, f"/c/{slug}/hall/{topic_id}/", "vote")
        return see_other(f"/c/{slug}/hall/{topic_id}/#vote")

    @get("/ballots")
    async def ballots_page(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        done: FromQuery[Annotated[str, one_of(["1"])]] = "",
    ) -> Template:
        """The paper-ballot page: one household after another, as the ballots of a 户长会 are
        read out."""
        notice = _("纸质票已录入，可以接着录下一张。") if done else ""
        return await _ballots(request, viewer, slug, topic_id, notice=notice, done=bool(done))

    @post("/ballots")
    async def ballot(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """Staff or a council member enter a paper ballot for a named household."""
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        form = await Form.read(request, forms.BALLOT)
        try:
            form.check()
            household, option = form.int("household"), form.int("option")
            if household is None or option is None:
                raise Invalid(
                    {
                        **({"household": _("请选择是哪一户。")} if household is None else {}),
                        **({"option": _("请选择票上的选项。")} if option is None else {}),
                    }
                )
            await votes.enter_paper(
                viewer, topic, household, option, form.int("meeting"), now_of(request)
            )
        except DomainError as refused:
            notice, errors = _refused(refused)
            return await _ballots(
                request,
                viewer,
                slug,
                topic_id,
                notice=notice,
                errors=errors,
                status=refused.status_code,
            )
        if wants_fragment(request):
            said = _("纸质票已录入，可以接着录下一张。")
            return await _ballots(request, viewer, slug, topic_id, notice=said, done=True)
        return see_other(f"/c/{slug}/hall/{topic_id}/ballots?done=1")
