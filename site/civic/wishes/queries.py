"""What the wish pages show, each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from piccolo.columns.combination import Combinable
from piccolo.query.functions.aggregate import Count

from civic.accounts.me import MeItem
from civic.places.service import district_overview
from civic.places.tables import Community
from civic.prepared import Prepared
from civic.tallies import Tallied, flow
from civic.web.clock import local
from civic.web.privacy import mask_name
from civic.web.tables import Tally
from civic.wishes.tables import Helper, Wish, WishEvent
from civic.wishes.workflow import ON_TREE, REPORTS, STATUS_LABELS, UNCLAIM, WISHES, S


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


def as_swept(row: dict, now: datetime) -> dict:
    """A claim past its deadline, shown as the sweep (civic/sweeps.py) will leave it within a
    minute: back on the tree, claimed by nobody. Pages never write, and nobody is told a wish
    is taken when its claim has run out."""
    deadline = row.get("claim_deadline")
    if row["status"] != S.CLAIMED or deadline is None or deadline > now:
        return row
    released = {column._meta.name: value for column, value in UNCLAIM.items()}
    return {**row, **released, "status": S.PUBLISHED.value, "claimer_name": None}


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


ON_TREE_CONFIRMED = 20
"""Confirmed wishes the whole tree still shows, the newest: it is for wishes waiting for help,
and years of thanks would otherwise make the page as long as the community's history."""
RECENT_CONFIRMED = 60
"""Confirmed wishes the tree lists when asked for those alone (状态: 已完成); each one, older or
not, stays at its own address."""


# The whole tree, as most people open it: built once (civic/prepared.py).
_TREE_WAITING = Prepared(
    lambda community: Wish.select(*_LIST_COLUMNS).where(
        (Wish.community == community)
        & Wish.status.is_in([s for s in ON_TREE if s is not S.CONFIRMED])
    ),
    community=int,
)
_TREE_CONFIRMED = Prepared(
    lambda community: (
        Wish.select(*_LIST_COLUMNS)
        .where((Wish.community == community) & (Wish.status == S.CONFIRMED))
        .order_by(Wish.id, ascending=False)
        .limit(ON_TREE_CONFIRMED)
    ),
    community=int,
)


async def tree(
    community_id: int, now: datetime, category: str = "", status: str = ""
) -> list[WishRow]:
    """The wishes on a community's tree, oldest first: every one still waiting for a helper or
    a thank-you (published, claimed, fulfilled) and the newest confirmed ones (more of them
    when only the confirmed are asked for). Two queries, each read in order through
    wish_community_status_id, however many years of wishes."""
    if not category and not status:
        rows = [
            *await _TREE_WAITING(community=community_id),
            *await _TREE_CONFIRMED(community=community_id),
        ]
    else:
        rows = await _filtered_tree(community_id, category, status)
    return [_row(as_swept(r, now)) for r in sorted(rows, key=lambda r: r["id"])]


async def _filtered_tree(community_id: int, category: str, status: str) -> list[dict]:
    states = [s for s in ON_TREE if not status or s.value == status]
    where: Combinable = Wish.community == community_id
    if category:
        where &= Wish.category == category
    waiting = [s for s in states if s is not S.CONFIRMED]
    rows = []
    if waiting:
        rows += await Wish.select(*_LIST_COLUMNS).where(where & Wish.status.is_in(waiting))
    if S.CONFIRMED in states:
        rows += (
            await Wish.select(*_LIST_COLUMNS)
            .where(where & (Wish.status == S.CONFIRMED))
            .order_by(Wish.id, ascending=False)
            .limit(RECENT_CONFIRMED if status == S.CONFIRMED.value else ON_TREE_CONFIRMED)
        )
    return rows


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


async def wish_page(wish_id: int, community_id: int, now: datetime) -> WishPage | None:
    """The wish and its history in two queries; None when it is not this community's."""
    wish = (
        await Wish.select(
            *Wish.all_columns(),
            # The photos' sizes, for width and height on <img>: the page does not jump.
            Wish.photo.width.as_alias("photo_width"),
            Wish.photo.height.as_alias("photo_height"),
            Wish.fulfil_photo.width.as_alias("fulfil_photo_width"),
            Wish.fulfil_photo.height.as_alias("fulfil_photo_height"),
            Wish.grid.name.as_alias("grid_name"),
            Wish.beneficiary.name.as_alias("beneficiary_name"),
            Wish.beneficiary.phone.as_alias("beneficiary_phone"),
            Wish.claimed_by.name.as_alias("claimer_name"),
            Wish.claimed_by.kind.as_alias("claimer_kind"),
        )
        .where((Wish.id == wish_id) & (Wish.community == community_id))
        .first()
    )
    if wish is None:
        return None
    wish = as_swept(wish, now)
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


def helper_shown(name: str, kind: str | None, in_full: bool) -> str:
    """How a helper appears: an organisation by its name (it acts in public), a party member
    masked (黄**) to everyone but the wish's owner and staff — on pages, fragments and the
    thank-you letter alike."""
    if in_full or kind == Helper.Kind.ORGANISATION:
        return name
    return mask_name(name) if name else ""


def shown_to(page: WishPage, sees_person: bool) -> WishPage:
    """The page as this viewer may see it: the beneficiary's name masked and no phone, unless
    they are someone who sees the person (workflow.sees_person); the phone only while the
    wish is claimed, when it is needed to arrange the help. The claimer as helper_shown()."""
    claimer = helper_shown(page.claimer_name, page.wish.get("claimer_kind"), sees_person)
    if not sees_person:
        return replace(
            page,
            beneficiary_name=mask_name(page.beneficiary_name),
            beneficiary_phone="",
            claimer_name=claimer,
        )
    if page.wish["status"] != S.CLAIMED:
        return replace(page, beneficiary_phone="")
    return page


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
            Helper.photo,
            Helper.photo.width.as_alias("photo_width"),
            Helper.photo.height.as_alias("photo_height"),
            Helper.person.phone.as_alias("phone"),
        )
        .where((Helper.community == community_id) & (Helper.status == Helper.Status.PENDING))
        .order_by(Helper.created_at)
    )


async def my_report(person_id: int, community_id: int) -> dict | None:
    return (
        await Helper.select(
            Helper.id,
            Helper.status,
            Helper.reason,
            Helper.photo,
            Helper.photo.width.as_alias("photo_width"),
            Helper.photo.height.as_alias("photo_height"),
        )
        .where((Helper.person == person_id) & (Helper.community == community_id))
        .order_by(Helper.id, ascending=False)
        .first()
    )


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
            REPORTS.label(r["status"]) + (f"：{r['reason']}" if r["reason"] else ""),
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
class Counts:
    """What staff report upward about a community, a street or the district (seed 002 counts
    wishes per party member: 0.48 each). Adding two gives the figures of both together."""

    published: int = 0
    claimed: int = 0  # claims open now
    fulfilled: int = 0  # fulfilled, not yet confirmed
    confirmed: int = 0
    verified_members: int = 0
    confirmed_days: float = 0.0  # publication to confirmation, summed over confirmed wishes
    timed: int = 0  # the confirmed wishes in that sum

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)}
        )

    @property
    def done(self) -> int:
        return self.fulfilled + self.confirmed

    @property
    def average_days(self) -> float | None:
        """Days from publication to confirmation, on average (a street's average weighs each
        wish alike, not each community)."""
        return round(self.confirmed_days / self.timed, 1) if self.timed else None

    @property
    def per_member(self) -> float:
        return round(self.done / self.verified_members, 2) if self.verified_members else 0.0


@dataclass(frozen=True)
class Figures(Counts):
    helpers: list[HelperFigures] = field(default_factory=list)


# A wish is approved once at most (published, it never goes back to waiting for review): how
# many were published is how many moves went from review onto the tree.
_APPROVED = flow(S.SUBMITTED, S.PUBLISHED)


async def _counts(
    community_id: int | None = None, street_id: int | None = None
) -> dict[int, Counts]:
    """Counts per community (of one community, of a street's, or of all) from the tallies the
    workflow keeps and one GROUP BY of the verified members: a few rows per community,
    however many wishes the years bring."""
    tally_scope = helper_scope = None
    if community_id is not None:
        tally_scope, helper_scope = Tally.scope == community_id, Helper.community == community_id
    elif street_id is not None:
        communities = Community.select(Community.id).where(Community.street == street_id)
        tally_scope = Tally.scope.is_in(communities)
        helper_scope = Helper.community.street == street_id
    tallied = await WISHES.tallies(tally_scope)
    members = Helper.select(Helper.community, Count(alias="n")).where(
        (Helper.status == Helper.Status.VERIFIED) & (Helper.kind == Helper.Kind.MEMBER)
    )
    if helper_scope is not None:
        members = members.where(helper_scope)
    verified = {r["community"]: r["n"] for r in await members.group_by(Helper.community)}
    counts = {}
    for community in tallied.keys() | verified.keys():
        names = tallied.get(community, {})
        confirmed = names.get(S.CONFIRMED, Tallied())
        counts[community] = Counts(
            published=names.get(_APPROVED, Tallied()).n,
            claimed=names.get(S.CLAIMED, Tallied()).n,
            fulfilled=names.get(S.FULFILLED, Tallied()).n,
            confirmed=confirmed.n,
            verified_members=verified.get(community, 0),
            confirmed_days=confirmed.days,
            timed=confirmed.timed,
        )
    return counts


async def figures(community_id: int) -> Figures:
    """The community's wish figures and each helper's, in three queries, however many wishes,
    helpers and years: the wishes and each helper's claims and fulfilments are counted as they
    happen."""
    counts = (await _counts(community_id=community_id)).get(community_id, Counts())
    helpers = await Helper.select(
        Helper.id, Helper.name, Helper.kind, Helper.claims, Helper.fulfilments
    ).where((Helper.community == community_id) & (Helper.status == Helper.Status.VERIFIED))
    return Figures(
        **{f.name: getattr(counts, f.name) for f in fields(Counts)},
        helpers=sorted(
            (
                HelperFigures(
                    h["id"],
                    h["name"],
                    "在职党员" if h["kind"] == Helper.Kind.MEMBER else "单位或组织",
                    h["claims"],
                    h["fulfilments"],
                )
                for h in helpers
            ),
            key=lambda f: (-f.fulfilled, -f.claimed, f.name),
        ),
    )


@dataclass(frozen=True)
class AreaRow:
    name: str
    href: str  # where this area's own figures are, for whoever may open them
    counts: Counts


@dataclass(frozen=True)
class Rollup:
    """A street's communities, or the district's streets, one row each, and their total."""

    rows: list[AreaRow]
    total: Counts


async def street_rollup(street_id: int) -> Rollup:
    """Every community of the street and the street's total, in two queries besides the
    district's places."""
    counts = await _counts(street_id=street_id)
    street = next((s for s in await district_overview() if s.id == street_id), None)
    communities = street.communities if street else []
    rows = [
        AreaRow(c.name, f"/c/{c.slug}/wishes/", counts.get(c.id, Counts())) for c in communities
    ]
    return Rollup(rows, sum((r.counts for r in rows), Counts()))


async def district_rollup() -> Rollup:
    """Every street of the district (each the total of its communities) and the district's
    total, in two queries besides the district's places."""
    counts = await _counts()
    rows = [
        AreaRow(
            s.name,
            f"/staff/street/{s.slug}/wishes/",
            sum((counts.get(c.id, Counts()) for c in s.communities), Counts()),
        )
        for s in await district_overview()
    ]
    return Rollup(rows, sum((r.counts for r in rows), Counts()))
