"""The hall, a topic's page, opening or proposing a topic, its stage moves and vote settings;
the moderators' queue. Posts, votes and outcomes have their own controllers beside this one."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts.guards import requires, signed_in
from civic.accounts.roles import Role
from civic.accounts.viewer import MaybeSignedIn, Place, SignedIn, Viewer, may_act
from civic.errors import DomainError, NotFound
from civic.hall import forms, queries, service
from civic.hall.page import topic_context
from civic.hall.tables import Topic
from civic.hall.workflow import LISTED, STATUS_LABELS, TOPICS, Verb
from civic.places import service as places
from civic.places.service import CommunityInfo
from civic.web import pages
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.inputs import Id, PageNumber
from civic.web.once import FIELD as ONCE
from civic.web.once import once_of
from civic.web.pages import now_of, render, see_other

SCOPES = [
    (Topic.Scope.COMMUNITY.value, _("全社区")),
    (Topic.Scope.GRID.value, _("一个网格")),
    (Topic.Scope.BUILDING.value, _("一栋楼（只有这栋楼的住户参与）")),
]


def _is_moderator(viewer: Viewer | None, community_id: int) -> bool:
    return may_act(viewer, service.MODERATORS, Place(community_id=community_id))


async def _new_page(
    request: Request, viewer: Viewer, community: CommunityInfo, form: Form, status: int = 200
) -> Template:
    grids, buildings = await queries.scope_choices(community.id)
    return render(
        request,
        "hall/new.html",
        community=community,
        form=form,
        scopes=SCOPES,
        grids=grids,
        buildings=buildings,
        opens=_is_moderator(viewer, community.id),
        status=status,
    )


class HallController(Controller):
    path = "/c/{slug:str}/hall"

    @get("/")
    async def hall(
        self,
        request: Request,
        slug: FromPath[str],
        visitor: MaybeSignedIn,
        stage: FromQuery[forms.Stage] = "",
        page: FromQuery[PageNumber] = 1,
    ) -> Template:
        community = await places.community_or_404(slug)
        topics, more = await queries.hall(community.id, stage, visitor, now_of(request), page)
        return render(
            request,
            "hall/list.html",
            community=community,
            topics=topics,
            more=more,
            page=page,
            stage=stage,
            stages=[(s.value, STATUS_LABELS[s]) for s in LISTED],
            is_moderator=_is_moderator(visitor, community.id),
        )

    @get("/new", guards=[signed_in])
    async def new_page(self, request: Request, viewer: SignedIn, slug: FromPath[str]) -> Template:
        community = await places.community_or_404(slug)
        return await _new_page(request, viewer, community, Form())

    @post("/new", guards=[signed_in])
    async def create(
        self, request: Request, viewer: SignedIn, slug: FromPath[str]
    ) -> Template | Redirect:
        community = await places.community_or_404(slug)
        form = await Form.read(request, forms.TOPIC)
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            return see_other(made)
        try:
            form.check()
            given = service.TopicInput(
                title=form.get("title"),
                text=form.get("text"),
                scope=forms.scope_of(form),
                grid_id=form.int("grid"),
                building_id=form.int("building"),
                collect_until=forms.day_end(form, "collect_until"),
                deliberate_until=forms.day_end(form, "deliberate_until"),
            )
            now = now_of(request)
            if _is_moderator(viewer, community.id):
                topic = await service.open_topic(viewer, community.id, given, now)
            else:
                topic = await service.propose(viewer, community.id, given, now)
        except DomainError as refused:
            await once.refused()
            form.refuse(refused, "title")
            return await _new_page(request, viewer, community, form, status=422)
        done = f"/c/{slug}/hall/{topic['id']}/"
        await once.done(done)
        pages.tell_done(request, done, Verb.PROPOSE if topic["proposed_by"] else Verb.OPEN)
        return see_other(done)

    @get("/{topic_id:int}/")
    async def topic(
        self,
        request: Request,
        slug: FromPath[str],
        topic_id: FromPath[Id],
        visitor: MaybeSignedIn,
        page: FromQuery[PageNumber] = 1,
    ) -> Template:
        return render(
            request,
            "hall/topic.html",
            **await topic_context(request, visitor, slug, topic_id, page),
        )

    @post("/{topic_id:int}/step", guards=[signed_in])
    async def step(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """A stage move: accept, decline, deliberate, open the vote, publish."""
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        form = await Form.read(request, forms.STEP)
        verb = form.get("verb")
        try:
            form.check()
            if verb not in TOPICS.moves or verb == Verb.SET_UP:
                raise NotFound(_("没有这个操作。"))
            outcome = None
            if verb == Verb.PUBLISH:
                outcome = (forms.outcome_of(form), form.get("outcome_text"))
            await service.step(
                viewer, topic, Verb(verb), now_of(request), form.get("note"), outcome
            )
        except DomainError as refused:
            form.refuse(refused, "note")
            context = await topic_context(request, viewer, slug, topic_id, 1, form=form)
            return render(request, "hall/topic.html", status=refused.status_code, **context)
        return see_other(f"/c/{slug}/hall/{topic_id}/")

    @post("/{topic_id:int}/setup", guards=[signed_in])
    async def set_up(
        self, request: Request, viewer: SignedIn, slug: FromPath[str], topic_id: FromPath[Id]
    ) -> Template | Redirect:
        """The stages' end dates and the vote's settings."""
        _community, topic, _standing = await queries.topic_for(slug, topic_id, viewer)
        form = await Form.read(request, forms.SET_UP)
        try:
            form.check()
            setup = service.VoteSetup(
                counting=forms.counting_of(form),
                threshold=forms.threshold_of(form),
                tally_while_open=form.get("tally_while_open") == "1",
                vote_until=forms.moment(form, "vote_until"),
                options=tuple(line for line in form.get("options").splitlines() if line.strip()),
            )
            await service.set_up_vote(viewer, topic, setup, now_of(request))
            pages.tell_done(request, f"/c/{slug}/hall/{topic_id}/", Verb.SET_UP)
        except DomainError as refused:
            form.refuse(refused, "vote")
            context = await topic_context(request, viewer, slug, topic_id, 1, form=form)
            return render(request, "hall/topic.html", status=refused.status_code, **context)
        return see_other(f"/c/{slug}/hall/{topic_id}/#vote")


class HallQueueController(Controller):
    @get(
        "/staff/c/{slug:str}/hall/",
        guards=[requires(Role.COMMUNITY_STAFF, Role.COUNCIL_MEMBER)],
    )
    async def queue(self, request: Request, slug: FromPath[str]) -> Template:
        community = request.state["community"]
        items = await queries.queue(community.id, now_of(request))
        return render(request, "hall/queue.html", community=community, items=items)
