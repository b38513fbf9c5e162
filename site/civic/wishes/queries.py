"""What the wish pages show, each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from piccolo.query.functions.aggregate import Count

from civic.accounts.tables import Person
from civic.web.clock import local
from civic.web.privacy import mask_name
from civic.wishes.tables import Helper, Wish, WishEvent
from civic.wishes.workflow import ON_TREE, STATUS_LABELS, S


@dataclass(frozen=True)
class WishRow:
    id: int
    title: str
    category: str
    value_yuan: int
    status: S
    grid: str
    beneficiary_masked: str
    claim_deadline: datetime | None
    published_at: datetime | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


_LIST_COLUMNS = (
    Wish.id,
    Wish.title,
    Wish.category,
    Wish.value_yuan,
    Wish.status,
    Wish.grid.name.as_alias("grid"),
    Wish.beneficiary.name.as_alias("beneficiary"),
    Wish.claim_deadline,
    Wish.published_at,
)


def _row(r: dict) -> WishRow:
    return WishRow(
        r["id"],
        r["title"],
        r["category"],
        r["value_yuan"],
        S(r["status"]),
        r["grid"] or "",
        mask_name(r["beneficiary"]),
        r["claim_deadline"],
        r["published_at"],
    )


async def tree(community_id: int, category: str = "", status: str = "") -> list[WishRow]:
    """The wishes on a community's tree (published to confirmed), oldest first, in one query."""
    states = [s for s in ON_TREE if not status or s.value == status]
    query = Wish.select(*_LIST_COLUMNS).where(
        (Wish.community == community_id) & Wish.status.is_in(states)
    )
    if category:
        query = query.where(Wish.category == category)
    return [_row(r) for r in await query.order_by(Wish.id)]


async def open_wish_ids(community_id: int) -> list[int]:
    rows = await Wish.select(Wish.id).where(
        (Wish.community == community_id) & (Wish.status == S.PUBLISHED)
    )
    return [r["id"] for r in rows]


async def review_queue(community_id: int) -> list[WishRow]:
    rows = (
        await Wish.select(*_LIST_COLUMNS)
        .where((Wish.community == community_id) & (Wish.status == S.SUBMITTED))
        .order_by(Wish.created_at)
    )
    return [_row(r) for r in rows]


async def claims_due(community_id: int, before: datetime) -> list[WishRow]:
    rows = (
        await Wish.select(*_LIST_COLUMNS)
        .where(
            (Wish.community == community_id)
            & (Wish.status == S.CLAIMED)
            & (Wish.claim_deadline < before)
        )
        .order_by(Wish.claim_deadline)
    )
    return [_row(r) for r in rows]


@dataclass
class WishPage:
    wish: dict
    label: str
    grid: str
    beneficiary_name: str
    beneficiary_phone: str
    claimer_name: str
    events: list[dict] = field(default_factory=list)


async def wish_page(wish_id: int, community_id: int) -> WishPage | None:
    """The wish and its history in two queries; None when it is not this community's."""
    wish = (
        await Wish.select(
            Wish.all_columns(),
            Wish.grid.name.as_alias("grid_name"),
            Wish.beneficiary.name.as_alias("beneficiary_name"),
            Wish.beneficiary.phone.as_alias("beneficiary_phone"),
            Wish.claimed_by.name.as_alias("claimer_name"),
        )
        .where((Wish.id == wish_id) & (Wish.community == community_id))
        .first()
    )
    if wish is None:
        return None
    events = (
        await WishEvent.select(
            WishEvent.from_status,
            WishEvent.to_status,
            WishEvent.note,
            WishEvent.at,
            WishEvent.actor.name.as_alias("actor_name"),
        )
        .where(WishEvent.wish == wish_id)
        .order_by(WishEvent.id)
    )
    for e in events:
        e["label"] = STATUS_LABELS[S(e["to_status"])]
        e["actor_masked"] = mask_name(e["actor_name"]) if e["actor_name"] else "系统"
    return WishPage(
        wish=wish,
        label=STATUS_LABELS[S(wish["status"])],
        grid=wish["grid_name"] or "",
        beneficiary_name=wish["beneficiary_name"],
        beneficiary_phone=wish["beneficiary_phone"],
        claimer_name=wish["claimer_name"] or "",
        events=events,
    )


async def pending_reports(community_id: int) -> list[dict]:
    return (
        await Helper.select(
            Helper.id,
            Helper.kind,
            Helper.name,
            Helper.work_unit,
            Helper.party_branch,
            Helper.contact_phone,
            Helper.created_at,
            Helper.person.phone.as_alias("phone"),
        )
        .where((Helper.community == community_id) & (Helper.status == Helper.Status.PENDING))
        .order_by(Helper.created_at)
    )


async def my_report(person_id: int, community_id: int) -> dict | None:
    return (
        await Helper.select(Helper.id, Helper.status, Helper.reason)
        .where((Helper.person == person_id) & (Helper.community == community_id))
        .order_by(Helper.id, ascending=False)
        .first()
    )


async def resident_by_phone(phone: str) -> int | None:
    row = await Person.select(Person.id).where(Person.phone == phone).first()
    return row["id"] if row else None


REPORT_STEPS = {
    Helper.Status.PENDING: "等待社区审核",
    Helper.Status.VERIFIED: "已通过，可以认领心愿",
    Helper.Status.REJECTED: "未通过",
    Helper.Status.REVOKED: "已被撤销",
}


@dataclass(frozen=True)
class MeItem:
    text: str
    link: str
    next_step: str


async def me_items(person_id: int) -> list[MeItem]:
    """My reports, my claims and my wishes, each with what it needs from me now, in three
    queries."""
    mine = (
        await Wish.select(
            Wish.id, Wish.title, Wish.status, Wish.beneficiary, Wish.community.slug.as_alias("slug")
        )
        .where((Wish.beneficiary == person_id) | (Wish.posted_by == person_id))
        .order_by(Wish.id, ascending=False)
    )
    claims = (
        await Wish.select(
            Wish.id, Wish.title, Wish.claim_deadline, Wish.community.slug.as_alias("slug")
        )
        .where((Wish.claimed_by.person == person_id) & (Wish.status == S.CLAIMED))
        .order_by(Wish.claim_deadline)
    )
    reports = (
        await Helper.select(
            Helper.status,
            Helper.reason,
            Helper.community.name.as_alias("community"),
            Helper.community.slug.as_alias("slug"),
        )
        .where(Helper.person == person_id)
        .order_by(Helper.id)
    )
    items = [
        MeItem(
            f"报到：{r['community']}",
            f"/c/{r['slug']}/wishes/report",
            REPORT_STEPS[Helper.Status(r["status"])] + (f"：{r['reason']}" if r["reason"] else ""),
        )
        for r in reports
    ]
    items += [
        MeItem(
            f"认领：{c['title']}",
            f"/c/{c['slug']}/wishes/{c['id']}/",
            f"请在 {local(c['claim_deadline']):%m月%d日 %H:%M} 前完成，做不到请放弃认领",
        )
        for c in claims
    ]
    for w in mine:
        status = S(w["status"])
        if status is S.RETURNED:
            step = "社区退回了，请看原因后重新提交"
        elif status is S.FULFILLED and w["beneficiary"] == person_id:
            step = "心愿已实现，请确认收到"
        else:
            step = STATUS_LABELS[status]
        items.append(MeItem(f"心愿：{w['title']}", f"/c/{w['slug']}/wishes/{w['id']}/", step))
    return items


@dataclass(frozen=True)
class HelperFigures:
    id: int
    name: str
    kind: str
    claimed: int
    fulfilled: int


@dataclass(frozen=True)
class Figures:
    """What staff report upward (seed 002 counts wishes per party member: 0.48 each)."""

    published: int
    claimed: int
    fulfilled: int
    confirmed: int
    verified_members: int
    average_days: float | None  # from publication to confirmation
    helpers: list[HelperFigures]

    @property
    def per_member(self) -> float:
        done = self.fulfilled + self.confirmed
        return round(done / self.verified_members, 2) if self.verified_members else 0.0


async def figures(community_id: int) -> Figures:
    """The community's wish figures in three queries, however many wishes and helpers."""
    wishes = await Wish.select(Wish.status, Wish.published_at, Wish.confirmed_at).where(
        Wish.community == community_id
    )
    helpers = await Helper.select(Helper.id, Helper.person, Helper.name, Helper.kind).where(
        (Helper.community == community_id) & (Helper.status == Helper.Status.VERIFIED)
    )
    moves = (
        await WishEvent.select(WishEvent.actor, WishEvent.to_status, Count(alias="n"))
        .where(
            (WishEvent.wish.community == community_id)
            & WishEvent.to_status.is_in([S.CLAIMED, S.FULFILLED])
        )
        .group_by(WishEvent.actor, WishEvent.to_status)
    )
    done = {(m["actor"], m["to_status"]): m["n"] for m in moves}
    count = {s: sum(1 for w in wishes if w["status"] == s) for s in S}
    days = [
        (w["confirmed_at"] - w["published_at"]).total_seconds() / 86400
        for w in wishes
        if w["status"] == S.CONFIRMED and w["published_at"] and w["confirmed_at"]
    ]
    return Figures(
        published=sum(1 for w in wishes if w["published_at"] is not None),
        claimed=count[S.CLAIMED],
        fulfilled=count[S.FULFILLED],
        confirmed=count[S.CONFIRMED],
        verified_members=sum(1 for h in helpers if h["kind"] == Helper.Kind.MEMBER),
        average_days=round(sum(days) / len(days), 1) if days else None,
        helpers=sorted(
            (
                HelperFigures(
                    h["id"],
                    h["name"],
                    "在职党员" if h["kind"] == Helper.Kind.MEMBER else "单位或组织",
                    done.get((h["person"], S.CLAIMED), 0),
                    done.get((h["person"], S.FULFILLED), 0),
                )
                for h in helpers
            ),
            key=lambda f: (-f.fulfilled, -f.claimed, f.name),
        ),
    )
