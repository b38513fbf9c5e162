"""The demo 议事厅: each community has a topic in every stage, one lift vote that passed and one
that fell short on area alone, conventions with their articles, posts reported and hidden."""

from __future__ import annotations

from datetime import UTC, datetime

from civic import demo
from civic.hall import demo as hall_demo
from civic.hall import service, votes
from civic.hall.tables import Article, Meeting, Post, Topic, Vote
from civic.hall.workflow import S
from civic.places.tables import Community


async def test_each_demo_community_deliberates_in_every_stage():
    await demo.load_places()
    await demo.load_accounts()
    await demo.load_households()
    await hall_demo.load()
    now = datetime.now(UTC)
    topics = await Topic.select()
    communities = await Community.select(Community.id, Community.slug)
    assert len(communities) == 4
    for community in communities:
        mine = [t for t in topics if t["community"] == community["id"]]
        assert {t["status"] for t in mine} == {
            S.PROPOSED,
            S.COLLECTING,
            S.DELIBERATING,
            S.VOTING,
            S.PUBLISHED,
        }, community["slug"]
        lifts = sorted((t for t in mine if "加装电梯" in t["title"]), key=lambda t: t["id"])
        assert len(lifts) == 2
        shown = [await votes.view(t, service.standing(None, t), now) for t in lifts]
        passed, short = (v.result if v else None for v in shown)
        assert passed is not None and passed.passed
        assert short is not None and not short.passed
        failing = [c.what for c in short.checks if c.reached is False]
        assert len(failing) == 1 and "面积" in failing[0], short.reasons
        dogs = next(t for t in mine if "养犬" in t["title"])
        assert await Article.count().where(Article.topic == dogs["id"]) == 14

    assert await Post.count() > 200
    assert await Post.count().where(Post.hidden_at.is_not_null()) > 0
    assert await Post.count().where(Post.reports > 0) > 0
    paper = Vote.entered_by.is_not_null() & Vote.meeting.is_not_null()
    assert await Vote.count().where(paper) > 0
    assert await Meeting.count().where(Meeting.kind == Meeting.Kind.HOUSEHOLD_HEADS) > 0

    counts = (await Topic.count(), await Post.count(), await Vote.count())
    await hall_demo.load()
    assert (await Topic.count(), await Post.count(), await Vote.count()) == counts
