"""Years of one community's use, made in seconds: its demo cases (with their events), wishes (with
theirs) and 议事厅 topics (with their posts and events) copied `factor` times over.

Copy k is the demo shifted k periods into the past, so the rows spread over years; an old row
is done, as one would be after years: a case still open in the demo is closed (mostly rated
satisfied), a wish still waiting is confirmed (a few withdrawn), a topic still running is
published. The demo's own rows, the newest, stay as they are: the pages show today's work on
top of a long history. Rows are read through the tables' own classes and go back in as
multi-row INSERTs of their columns, a few hundred rows a statement, all in one transaction.

    CIVIC_DATABASE_URL=... python bench/scale.py 100          # 1× (the demo) → 100×
    CIVIC_DATABASE_URL=... python bench/scale.py 100 --from 10
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from civic.hall.tables import Post, Topic, TopicEvent
from civic.places.tables import Community
from civic.suggestions.tables import Case, CaseEvent
from civic.wishes.tables import Helper, Wish, WishEvent
from civic.wishes.workflow import WISHES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the migrations' package
helper_tallies = importlib.import_module("migrations.wishes.wishes_2026_12_02t15_10_00_000000")

PERIOD = timedelta(days=45)  # the span of the demo's cases: copy k lies k periods back
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # the tracking codes' letters
# SQLite binds at most 32,766 values a statement, PostgreSQL 32,767: a chunk stays well below.
VALUES_PER_STATEMENT = 20_000

Row = dict[str, Any]


@dataclass
class Grown:
    cases: int = 0
    case_events: int = 0
    wishes: int = 0
    wish_events: int = 0
    topics: int = 0
    posts: int = 0
    topic_events: int = 0


# --- what an old row looks like -----------------------------------------------------------

CASE_OPEN = {"submitted", "accepted", "in_progress", "escalated", "feedback"}
WISH_WAITING = {"submitted", "returned", "published", "claimed", "fulfilled"}
TOPIC_RUNNING = {"collecting", "deliberating", "voting"}
RATINGS = ["satisfied"] * 8 + ["fairly"] * 2 + ["unsatisfied"]


def shifted(row: Row, by: timedelta) -> Row:
    return {k: (v - by if isinstance(v, datetime) else v) for k, v in row.items()}


def old_case(case: Row, rng: random.Random) -> tuple[Row, Row | None]:
    """A copy of a case years back, done; with the event that closed it if the demo's is open."""
    if case["status"] not in CASE_OPEN:
        return case, None
    feedback = case["feedback_at"] or case["filed_at"] + timedelta(days=rng.randint(1, 6))
    closed = feedback + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 20))
    rating = rng.choice(RATINGS)
    done = {
        **case,
        "status": "closed",
        "answer": case["answer"] or "已处理完毕，情况已向您说明。",
        "responded_at": case["responded_at"] or case["filed_at"] + timedelta(hours=3),
        "feedback_at": feedback,
        "closed_at": closed,
        "rating": rating,
        "respond_warned_at": None,
        "resolve_warned_at": None,
        "version": case["version"] + 2,
    }
    event = {
        "actor": case["filer"],
        "verb": "rate",
        "from_status": "feedback",
        "to_status": "closed",
        "level": case["level"],
        "department": case["department"],
        "note": "",
        "at": closed,
    }
    return done, event


def old_wish(wish: Row, helpers: list[int], rng: random.Random) -> tuple[Row, Row | None]:
    if wish["status"] not in WISH_WAITING:
        return wish, None
    start = wish["published_at"] or wish["created_at"]
    if wish["status"] in {"submitted", "returned"} and rng.random() < 0.5:
        at = start + timedelta(days=rng.randint(1, 5))
        done = {**wish, "status": "withdrawn", "version": wish["version"] + 1}
        return done, {"verb": "withdraw", "to_status": "withdrawn", "at": at, "actor": None}
    claimed = wish["claimed_at"] or start + timedelta(days=rng.randint(1, 10))
    fulfilled = wish["fulfilled_at"] or claimed + timedelta(days=rng.randint(1, 6))
    confirmed = fulfilled + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 12))
    done = {
        **wish,
        "status": "confirmed",
        "published_at": start,
        "claimed_by": wish["claimed_by"] or rng.choice(helpers),
        "claimed_at": claimed,
        "claim_deadline": None,
        "claim_warned_at": None,
        "fulfilled_at": fulfilled,
        "fulfil_note": wish["fulfil_note"] or "已送到，老人很满意。",
        "confirmed_at": confirmed,
        "thank_you": wish["thank_you"] or "谢谢你们！",
        "version": wish["version"] + 3,
    }
    return done, {"verb": "confirm", "to_status": "confirmed", "at": confirmed, "actor": None}


def old_topic(topic: Row) -> tuple[Row, Row | None]:
    """An old topic was published (or its proposal declined); it keeps no vote of its own."""
    row = {**topic, "has_vote": False, "counting": "person", "threshold": "majority"}
    if topic["status"] == "proposed":
        at = topic["created_at"] + timedelta(days=3)
        row |= {"status": "declined", "closed_at": at}
        return row, {"verb": "decline", "to_status": "declined", "at": at, "actor": None}
    if topic["status"] in TOPIC_RUNNING:
        at = (topic["deliberating_at"] or topic["accepted_at"] or topic["created_at"]) + timedelta(
            days=14
        )
        text = topic["outcome_text"] or "经居民讨论，形成决定并已公示。"
        row |= {"status": "published", "published_at": at, "outcome_text": text}
        return row, {"verb": "publish", "to_status": "published", "at": at, "actor": None}
    return row, None


# --- copying ------------------------------------------------------------------------------


class Ids:
    """Ids handed out in order after the table's largest: known before the rows go in, so
    events and replies can point at rows of the same statement batch."""

    def __init__(self, start: int) -> None:
        self.next = start

    def take(self) -> int:
        self.next += 1
        return self.next


async def largest_id(table: type[Table]) -> int:
    key = table._meta.primary_key
    found = await table.select(key).order_by(key, ascending=False).first()
    return int(found["id"]) if found else 0


async def insert(table: type[Table], rows: list[Row]) -> None:
    """Multi-row INSERTs of the table's own columns, values bound as parameters. Built here
    rather than by `Table.insert()`, which spends ~0.4 ms of Python on each row it builds."""
    if not rows:
        return
    names = [c._meta.db_column_name for c in table._meta.columns]
    quoted = ", ".join(f'"{n}"' for n in names)
    head = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES '  # noqa: S608 (our names)
    one = "(" + ", ".join("{}" for _ in names) + ")"
    chunk = max(1, VALUES_PER_STATEMENT // len(names))
    for i in range(0, len(rows), chunk):
        part = rows[i : i + chunk]
        values = [row[name] for row in part for name in names]
        await table.raw(head + ", ".join([one] * len(part)), *values)


async def originals(table: type[Table], where: Any, already: int) -> list[Row]:
    """The demo's own rows: the first 1/already of them by id (copies always come after)."""
    rows = await table.select().where(where).order_by(table._meta.primary_key)
    return rows[: len(rows) // already]


def events_by(rows: Iterable[Row], key: str) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = {}
    for row in rows:
        found.setdefault(row[key], []).append(row)
    return found


def new_codes(taken: set[str], rng: random.Random) -> Callable[[], str]:
    def code() -> str:
        while True:
            made = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
            if made not in taken:
                taken.add(made)
                return made

    return code


async def grow_cases(community: int, copies: range, already: int, rng: random.Random) -> Grown:
    cases = await originals(Case, Case.community == community, already)
    events = events_by(
        await CaseEvent.select().where(CaseEvent.case.is_in([c["id"] for c in cases])), "case"
    )
    taken = {r["code"] for r in await Case.select(Case.code)}
    code = new_codes(taken, rng)
    case_ids, event_ids = Ids(await largest_id(Case)), Ids(await largest_id(CaseEvent))
    new_cases: list[Row] = []
    new_events: list[Row] = []
    for k in copies:
        by = PERIOD * k
        codes = {c["code"]: code() for c in cases}
        for case in cases:
            row, closing = old_case(shifted(case, by), rng)
            row = {**row, "id": case_ids.take(), "code": codes[case["code"]]}
            row["merged_into"] = codes.get(row["merged_into"], row["merged_into"])
            new_cases.append(row)
            for event in events.get(case["id"], []):
                new_events.append({**shifted(event, by), "id": event_ids.take(), "case": row["id"]})
            if closing:
                new_events.append({**closing, "id": event_ids.take(), "case": row["id"]})
    await insert(Case, new_cases)
    await insert(CaseEvent, new_events)
    return Grown(cases=len(new_cases), case_events=len(new_events))


async def grow_wishes(community: int, copies: range, already: int, rng: random.Random) -> Grown:
    wishes = await originals(Wish, Wish.community == community, already)
    events = events_by(
        await WishEvent.select().where(WishEvent.wish.is_in([w["id"] for w in wishes])), "wish"
    )
    helpers = [
        h["id"]
        for h in await Helper.select(Helper.id).where(
            (Helper.community == community) & (Helper.status == "verified")
        )
    ]
    wish_ids, event_ids = Ids(await largest_id(Wish)), Ids(await largest_id(WishEvent))
    new_wishes: list[Row] = []
    new_events: list[Row] = []
    for k in copies:
        by = PERIOD * k
        for wish in wishes:
            row, closing = old_wish(shifted(wish, by), helpers, rng)
            # Photos stay with the demo's own wishes: a copy shows none.
            row = {**row, "id": wish_ids.take(), "photo": None, "fulfil_photo": None}
            new_wishes.append(row)
            for event in events.get(wish["id"], []):
                new_events.append({**shifted(event, by), "id": event_ids.take(), "wish": row["id"]})
            if closing:
                step = {"from_status": wish["status"], "note": "", **closing}
                new_events.append({**step, "id": event_ids.take(), "wish": row["id"]})
    await insert(Wish, new_wishes)
    await insert(WishEvent, new_events)
    # The site counts each helper's claims and fulfilments, and the workflow each state and
    # move, as they happen; rows written here past the service are counted from their
    # events: by the migration that counted the demo's own, and by the workflow's recount.
    await Helper.raw(helper_tallies.BACKFILL)
    await WISHES.recount()
    return Grown(wishes=len(new_wishes), wish_events=len(new_events))


async def grow_hall(community: int, copies: range, already: int) -> Grown:
    topics = await originals(Topic, Topic.community == community, already)
    ids = [t["id"] for t in topics]
    posts = events_by(await Post.select().where(Post.topic.is_in(ids)).order_by(Post.id), "topic")
    events = events_by(await TopicEvent.select().where(TopicEvent.topic.is_in(ids)), "topic")
    topic_ids, post_ids = Ids(await largest_id(Topic)), Ids(await largest_id(Post))
    event_ids = Ids(await largest_id(TopicEvent))
    new_topics: list[Row] = []
    new_posts: list[Row] = []
    new_events: list[Row] = []
    for k in copies:
        by = PERIOD * k
        for topic in topics:
            row, closing = old_topic(shifted(topic, by))
            row = {**row, "id": topic_ids.take()}
            new_topics.append(row)
            copied: dict[int, int] = {}
            for post in posts.get(topic["id"], []):  # by id: a parent comes before its replies
                copied[post["id"]] = post_ids.take()
                parent = copied.get(post["parent"]) if post["parent"] else None
                # Reports on an old post were handled long ago.
                new_posts.append(
                    {**shifted(post, by), "id": copied[post["id"]], "topic": row["id"]}
                    | {"parent": parent, "reports": 0}
                )
            for event in events.get(topic["id"], []):
                new_events.append(
                    {**shifted(event, by), "id": event_ids.take(), "topic": row["id"]}
                )
            if closing:
                step = {"from_status": topic["status"], "note": "", **closing}
                new_events.append({**step, "id": event_ids.take(), "topic": row["id"]})
    await insert(Topic, new_topics)
    await insert(Post, new_posts)
    await insert(TopicEvent, new_events)
    return Grown(topics=len(new_topics), posts=len(new_posts), topic_events=len(new_events))


async def realign_sequences(tables: Iterable[type[Table]]) -> None:
    """Rows went in with their ids: PostgreSQL's sequences must hand out the next ones."""
    for table in tables:
        name = table._meta.tablename
        sequence = f"pg_get_serial_sequence('\"{name}\"', 'id')"
        await table.raw(f'SELECT setval({sequence}, (SELECT max(id) FROM "{name}"))')  # noqa: S608


TABLES = (Case, CaseEvent, Wish, WishEvent, Topic, Post, TopicEvent)


async def grow(factor: int, *, already: int = 1, slug: str = "xinghua", seed: int = 7) -> Grown:
    """Makes the community's rows `factor` times the demo's, from `already` times."""
    if factor <= already:
        return Grown()
    community = await Community.select(Community.id).where(Community.slug == slug).first()
    if community is None:
        raise LookupError(f"no community {slug!r}: load the demo first")
    rng = random.Random(seed + already)  # noqa: S311 (made-up data, not secrets)
    copies = range(already, factor)
    engine = Case._meta.db
    async with engine.transaction():
        cases = await grow_cases(community["id"], copies, already, rng)
        wishes = await grow_wishes(community["id"], copies, already, rng)
        hall = await grow_hall(community["id"], copies, already)
        if isinstance(engine, PostgresEngine):
            await realign_sequences(TABLES)
    if isinstance(engine, PostgresEngine):
        # As autovacuum would have after years: fresh statistics and visibility maps, and no
        # autovacuum of the new rows competing with the pages measured next.
        for table in TABLES:
            await table.raw(f'VACUUM (ANALYZE) "{table._meta.tablename}"')
    else:
        await Case.raw("ANALYZE")
    return Grown(
        cases=cases.cases,
        case_events=cases.case_events,
        wishes=wishes.wishes,
        wish_events=wishes.wish_events,
        topics=hall.topics,
        posts=hall.posts,
        topic_events=hall.topic_events,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("factor", type=int, help="how many times the demo's rows to reach")
    parser.add_argument("--from", dest="already", type=int, default=1, help="times held now (1)")
    parser.add_argument("--community", default="xinghua", help="its slug (xinghua)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    grown = asyncio.run(grow(args.factor, already=args.already, slug=args.community))
    print(
        f"{args.community}: {args.already}× → {args.factor}×: +{grown.cases:,} cases "
        f"(+{grown.case_events:,} events), +{grown.wishes:,} wishes (+{grown.wish_events:,}), "
        f"+{grown.topics:,} topics (+{grown.posts:,} posts, +{grown.topic_events:,} events) "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
