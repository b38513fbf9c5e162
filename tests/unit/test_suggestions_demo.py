"""The demo 意见箱: a month and a half of cases in every state and category in each community."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civic import demo
from civic.accounts import service as accounts
from civic.places.tables import Community
from civic.suggestions import demo as suggestions_demo
from civic.suggestions.queries import due_of
from civic.suggestions.tables import Case, CaseEvent
from civic.suggestions.workflow import L, S, Verb


async def test_each_demo_community_has_two_months_of_cases_in_every_state():
    await demo.load_places()
    await demo.load_accounts()
    await suggestions_demo.load()
    now = datetime.now(UTC)
    cases = await Case.select()

    communities = await Community.select(Community.id, Community.slug)
    assert len(communities) == 4
    for community in communities:
        mine = [c for c in cases if c["community"] == community["id"]]
        assert 50 <= len(mine) <= 70, community["slug"]
        assert {c["status"] for c in mine} == set(S), community["slug"]
        assert {c["category"] for c in mine} == set(Case.Category), community["slug"]

    assert any((due := due_of(c, now)) and due.overdue for c in cases)
    assert any(c["level"] == L.DEPARTMENT and c["department"] for c in cases)
    assert any(c["reopened"] and c["rating"] == Case.Rating.UNSATISFIED for c in cases)
    assert any(c["adopted_at"] for c in cases) and any(c["merged_into"] for c in cases)
    representative = await accounts.person_id_by_phone("13900000061")
    assert any(c["representative"] == representative for c in cases)

    # Every history starts with the filing and lies within the last 45 days.
    events = await CaseEvent.select(CaseEvent.case, CaseEvent.verb, CaseEvent.at).order_by(
        CaseEvent.id
    )
    first: dict[int, str] = {}
    for e in events:
        first.setdefault(e["case"], e["verb"])
        assert now - timedelta(days=45) <= e["at"] <= now
    assert len(first) == len(cases) and set(first.values()) == {Verb.FILE}
    months = {c["filed_at"].strftime("%Y-%m") for c in cases}
    assert len(months) >= 2

    counts = (await Case.count(), await CaseEvent.count())
    await demo.load_accounts()
    await suggestions_demo.load()
    assert (await Case.count(), await CaseEvent.count()) == counts
