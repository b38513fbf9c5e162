"""户: the dwellings of each building, who lives in them, and who confirmed it. No HTTP in here.

A dwelling (`Household`) is entered by community staff, one by one or from a CSV of door
numbers and areas. A resident says which one they live in (`choose_home`); the link counts
for household votes only once community staff or the building's leader confirm it, and one
confirmed resident of each home is its head (户长). Person.building follows the home."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from piccolo.engine.postgres import PostgresEngine

from civic.accounts.roles import Role, Scope
from civic.accounts.tables import Membership, Person
from civic.accounts.viewer import Viewer
from civic.db import write_transaction
from civic.errors import Invalid, NotAllowed, NotFound
from civic.messages import service as messages
from civic.places.tables import Building, Household
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long
from civic.web.privacy import mask_name

DOOR_LENGTH = Household.door.length or 30
MIN_AREA_M2 = 5
MAX_AREA_M2 = 1000
"""A dwelling smaller than a box room or larger than a villa is a typing error."""
MAX_ROWS = 2000
"""Rows of one CSV: a large building has a few hundred dwellings."""
MAX_CSV_CHARS = 100_000
STATE_WAITING = "waiting"
STATE_CONFIRMED = "confirmed"
STATE_HEAD = "head"
STATE_LABELS = {
    STATE_WAITING: "待社区确认",
    STATE_CONFIRMED: "已确认",
    STATE_HEAD: "户长",
}


# Keys, doors and areas -------------------------------------------------------------------


def key_of(building_id: int, door: str) -> str:
    """The dwelling's unique key: the building and the door number with every space removed,
    full-width characters made half-width and letters of one case, so that "3号楼 2单元 501",
    "３号楼２单元５０１" and "3号楼2单元501" are one dwelling."""
    text = unicodedata.normalize("NFKC", clean_name(door))
    return f"{building_id}:{''.join(text.split()).casefold()}"


def door_error(door: str) -> str:
    if not door:
        return _("门牌号是空的。")
    return too_long(door, DOOR_LENGTH)


def parse_area(typed: str) -> tuple[int | None, str]:
    """(square decimetres, "") for an area typed in m² ("86.5", "８６．５", "86.5㎡"), or
    (None, the Chinese reason)."""
    text = unicodedata.normalize("NFKC", typed or "").strip().replace("。", ".")
    for unit in ("平方米", "平米", "平", "m2", "M2"):
        text = text.removesuffix(unit).strip()
    if not text:
        return None, _("没有填面积。")
    try:
        m2 = Decimal(text)
    except InvalidOperation:
        return None, _("面积“{a}”不是数字，请写成 86.5 这样。").format(a=typed[:20])
    if not m2.is_finite():
        return None, _("面积“{a}”不是数字，请写成 86.5 这样。").format(a=typed[:20])
    if m2 <= 0:
        return None, _("面积要大于 0。")
    if m2 < MIN_AREA_M2 or m2 > MAX_AREA_M2:
        return None, _("面积 {a} 平方米不像一户住房（应在 {low} 到 {high} 之间），请核对。").format(
            a=text, low=MIN_AREA_M2, high=MAX_AREA_M2
        )
    dm2 = m2 * 100
    if dm2 != dm2.to_integral_value():
        return None, _("面积最多保留两位小数。")
    return int(dm2), ""


def area_m2(area_dm2: int) -> str:
    """1 m² = 100 dm²: 8650 -> "86.5", 8600 -> "86"."""
    whole, part = divmod(area_dm2, 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}".rstrip("0")


# Reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    id: int
    name: str
    """The full name for whoever may manage the home, masked (张**) for anyone else."""
    phone: str
    """Only for the community's staff; "" otherwise."""
    is_head: bool
    confirmed: bool

    @property
    def state(self) -> str:
        if not self.confirmed:
            return STATE_WAITING
        return STATE_HEAD if self.is_head else STATE_CONFIRMED

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS[self.state])


@dataclass(frozen=True)
class Dwelling:
    id: int
    building_id: int
    door: str
    area_dm2: int
    residents: list[Resident] = field(default_factory=list)

    @property
    def area(self) -> str:
        return area_m2(self.area_dm2)

    @property
    def waiting(self) -> list[Resident]:
        return [r for r in self.residents if not r.confirmed]


@dataclass(frozen=True)
class BuildingHomes:
    id: int
    name: str
    dwellings: list[Dwelling] = field(default_factory=list)

    @property
    def residents(self) -> int:
        return sum(len(d.residents) for d in self.dwellings)

    @property
    def waiting(self) -> int:
        return sum(len(d.waiting) for d in self.dwellings)

    @property
    def area(self) -> str:
        return area_m2(sum(d.area_dm2 for d in self.dwellings))


def _is_staff(viewer: Viewer | None, community_id: int) -> bool:
    return viewer is not None and any(
        g.role is Role.COMMUNITY_STAFF and g.scope_id == community_id for g in viewer.grants
    )


def _leads(viewer: Viewer | None, community_id: int, building_id: int) -> bool:
    return (
        viewer is not None
        and viewer.building_id == building_id
        and any(
            g.role is Role.BUILDING_LEADER and g.scope_id == community_id for g in viewer.grants
        )
    )


def may_manage(viewer: Viewer | None, community_id: int, building_id: int) -> bool:
    """May confirm residents of a building and name its heads: the community's staff, and the
    building leader of that community who lives in that building."""
    return _is_staff(viewer, community_id) or _leads(viewer, community_id, building_id)


def may_edit(viewer: Viewer | None, community_id: int) -> bool:
    """May add, change and import dwellings: the community's staff."""
    return _is_staff(viewer, community_id)


def led_buildings(viewer: Viewer, community_id: int) -> list[int]:
    """The buildings of the community the viewer may manage as its leader (their own)."""
    return (
        [viewer.building_id]
        if viewer.building_id and _leads(viewer, community_id, viewer.building_id)
        else []
    )


async def community_homes(
    community_id: int, viewer: Viewer | None = None, building_ids: list[int] | None = None
) -> list[BuildingHomes]:
    """The community's buildings (or those of `building_ids`), each with its dwellings and
    their residents, in three queries. Names in full for those who may manage the building,
    phones for the community's staff, masked names for anyone else."""
    buildings = Building.select(Building.id, Building.name).where(
        Building.community == community_id
    )
    if building_ids is not None:
        buildings = buildings.where(Building.id.is_in(building_ids or [0]))
    found = {
        b["id"]: BuildingHomes(b["id"], b["name"])
        for b in await buildings.order_by(Building.position).order_by(Building.id)
    }
    if not found:
        return []
    dwellings = await (
        Household.select(Household.id, Household.building, Household.door, Household.area_dm2)
        .where(Household.building.is_in(list(found)))
        .order_by(Household.id)
    )
    people = await (
        Person.select(
            Person.id,
            Person.name,
            Person.phone,
            Person.household,
            Person.household_head,
            Person.household_confirmed_at,
        )
        .where(Person.household.building.is_in(list(found)))
        .where(Person.is_active == True)  # noqa: E712
        .order_by(Person.household_head, ascending=False)
        .order_by(Person.id)
    )
    staff = _is_staff(viewer, community_id)
    by_id: dict[int, Dwelling] = {}
    for d in dwellings:
        dwelling = Dwelling(d["id"], d["building"], d["door"], d["area_dm2"])
        by_id[d["id"]] = dwelling
        found[d["building"]].dwellings.append(dwelling)
    for p in people:
        dwelling = by_id[p["household"]]
        named = staff or _leads(viewer, community_id, dwelling.building_id)
        dwelling.residents.append(
            Resident(
                p["id"],
                p["name"] if named else mask_name(p["name"]),
                p["phone"] if staff else "",
                bool(p["household_head"]),
                p["household_confirmed_at"] is not None,
            )
        )
    for b in found.values():
        b.dwellings.sort(key=lambda d: _door_order(d.door))
    return list(found.values())


def _door_order(door: str) -> list:
    """Numbers compared as numbers: 2单元501 before 2单元1201."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key_of(0, door))]


async def dwellings(building_id: int, viewer: Viewer | None = None) -> list[Dwelling]:
    """One building's dwellings with their residents (see community_homes for what shows)."""
    row = await Building.select(Building.community).where(Building.id == building_id).first()
    if row is None:
        raise NotFound(_("没有这个楼门。"))
    homes = await community_homes(row["community"], viewer, [building_id])
    return homes[0].dwellings if homes else []


async def dwelling(community_id: int, household_id: int) -> Dwelling:
    row = (
        await Household.select(Household.id, Household.building, Household.door, Household.area_dm2)
        .where((Household.id == household_id) & (Household.building.community == community_id))
        .first()
    )
    if row is None:
        raise NotFound(_("没有这一户。"))
    return Dwelling(row["id"], row["building"], row["door"], row["area_dm2"])


async def building_of(community_id: int, building_id: int) -> dict:
    row = (
        await Building.select(Building.id, Building.name)
        .where((Building.id == building_id) & (Building.community == community_id))
        .first()
    )
    if row is None:
        raise NotFound(_("这个社区没有这个楼门。"))
    return row


# Entering dwellings ------------------------------------------------------------------------


def _checked(door: str, area: str) -> tuple[str, int]:
    door = clean_name(door)
    area_dm2, area_refused = parse_area(area)
    errors = {"door": door_error(door), "area": area_refused}
    errors = {k: v for k, v in errors.items() if v}
    if errors or area_dm2 is None:
        raise Invalid(errors)
    return door, area_dm2


EXISTS = "这个门牌已经登记过了。"


async def add_dwelling(community_id: int, building_id: int, door: str, area: str) -> int:
    """A new dwelling of a building of the community; `area` in m² as typed."""
    await building_of(community_id, building_id)
    door, area_dm2 = _checked(door, area)
    rows = (
        await Household.insert(
            Household(
                building=building_id, door=door, area_dm2=area_dm2, key=key_of(building_id, door)
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(Household.id)
    )
    if not rows:
        raise Invalid({"door": _(EXISTS)})
    return rows[0]["id"]


async def edit_dwelling(community_id: int, household_id: int, door: str, area: str) -> None:
    """A dwelling's door number and area, corrected. Its residents stay, confirmed."""
    found = await dwelling(community_id, household_id)
    door, area_dm2 = _checked(door, area)
    key = key_of(found.building_id, door)
    taken = await Household.exists().where((Household.key == key) & (Household.id != household_id))
    if taken:
        raise Invalid({"door": _(EXISTS)})
    await Household.update(
        {Household.door: door, Household.area_dm2: area_dm2, Household.key: key}
    ).where(Household.id == household_id)


@dataclass(frozen=True)
class Row:
    line: int
    door: str
    area_dm2: int

    @property
    def area(self) -> str:
        return area_m2(self.area_dm2)


@dataclass(frozen=True)
class BadRow:
    line: int
    text: str
    reason: str


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    existing: int = 0
    """Of the bad rows, those the building has already: what a second import skips."""


_HEADER_WORDS = ("门牌", "房号", "户号", "面积", "door", "area")


def parse_csv(text: str) -> Preview:
    """The rows of a CSV of door numbers and areas (m²), each checked; the bad ones with
    their line number and what is wrong, in Chinese. A header line is skipped; commas,
    full-width commas and tabs separate the columns; a third column and beyond is ignored."""
    preview = Preview()
    text = (text or "").lstrip("\ufeff")
    lines = text.splitlines()
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(preview.rows) + len(preview.bad) >= MAX_ROWS:
            preview.bad.append(
                BadRow(number, "", _("一次最多导入 {n} 行，其余的请分开导入。").format(n=MAX_ROWS))
            )
            break
        cells = next(csv.reader([line.replace("，", ",").replace("\t", ",")]), [])
        cells = [c.strip() for c in cells]
        door = clean_name(cells[0]) if cells else ""
        area = cells[1] if len(cells) > 1 else ""
        shown = clean_name(line)[:60]
        if not preview.rows and not preview.bad and not seen:
            first = unicodedata.normalize("NFKC", line).casefold()
            if any(w in first for w in _HEADER_WORDS) and parse_area(area)[0] is None:
                continue
        reason = door_error(door)
        area_dm2, area_refused = parse_area(area)
        reason = reason or area_refused
        key = key_of(0, door)
        if not reason and key in seen:
            reason = _("门牌号和第 {n} 行重复。").format(n=seen[key])
        if reason or area_dm2 is None:
            preview.bad.append(BadRow(number, shown, reason))
            continue
        seen[key] = number
        preview.rows.append(Row(number, door, area_dm2))
    return preview


async def preview_import(community_id: int, building_id: int, text: str) -> Preview:
    """parse_csv, with the rows whose dwelling the building already has moved to the bad."""
    await building_of(community_id, building_id)
    preview = parse_csv(text)
    keys = {key_of(building_id, r.door): r for r in preview.rows}
    if keys:
        existing = {
            r["key"]
            for r in await Household.select(Household.key).where(Household.key.is_in(list(keys)))
        }
        if existing:
            for key in existing:
                row = keys[key]
                preview.bad.append(BadRow(row.line, f"{row.door},{row.area}", _(EXISTS)))
            preview.rows = [r for r in preview.rows if key_of(building_id, r.door) not in existing]
            preview.existing = len(existing)
            preview.bad.sort(key=lambda b: b.line)
    return preview


@dataclass(frozen=True)
class Imported:
    added: int
    skipped: list[str]
    """Door numbers the building already had: left as they were."""


async def import_rows(building_id: int, preview: Preview) -> Imported:
    """The good rows of a preview, as dwellings of the building, in one transaction. A row
    whose dwelling exists already (imported twice, or entered meanwhile) is skipped and
    reported, so importing the same file again adds nothing."""
    if not preview.rows:
        return Imported(0, [])
    engine = Household._meta.db
    async with write_transaction(engine):
        made = (
            await Household.insert(
                *(
                    Household(
                        building=building_id,
                        door=r.door,
                        area_dm2=r.area_dm2,
                        key=key_of(building_id, r.door),
                    )
                    for r in preview.rows
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(Household.key)
        )
    added = {r["key"] for r in made}
    skipped = [r.door for r in preview.rows if key_of(building_id, r.door) not in added]
    return Imported(len(added), skipped)


# Residents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeLink:
    """A person's link to a dwelling, read for a decision about it."""

    person_id: int
    name: str
    household_id: int
    door: str
    building_id: int
    building_name: str
    community_id: int
    community_slug: str
    is_head: bool
    confirmed: bool


async def _link(person_id: int) -> HomeLink | None:
    row = (
        await Person.select(
            Person.id,
            Person.name,
            Person.household,
            Person.household.door.as_alias("door"),
            Person.household.building.as_alias("building"),
            Person.household.building.name.as_alias("building_name"),  # type: ignore[union-attr]
            Person.household.building.community.as_alias("community"),  # type: ignore[union-attr]
            Person.household.building.community.slug.as_alias("slug"),  # type: ignore[union-attr]
            Person.household_head,
            Person.household_confirmed_at,
        )
        .where(Person.id == person_id)
        .first()
    )
    if row is None or row["household"] is None:
        return None
    return HomeLink(
        row["id"],
        row["name"],
        row["household"],
        row["door"],
        row["building"],
        row["building_name"],
        row["community"],
        row["slug"],
        bool(row["household_head"]),
        row["household_confirmed_at"] is not None,
    )


async def home_of(person_id: int) -> HomeLink | None:
    """The person's home, for their /me page."""
    return await _link(person_id)


async def communities_of(person_id: int) -> list[int]:
    """The communities a person belongs to (holds a community role in)."""
    rows = await Membership.select(Membership.role, Membership.scope_id).where(
        Membership.person == person_id
    )
    return sorted({r["scope_id"] for r in rows if Role(r["role"]).scope is Scope.COMMUNITY})


async def home_choices(person_id: int) -> list[tuple[str, list[tuple[int, str]]]]:
    """The buildings a person may say they live in: those of their communities, grouped."""
    community_ids = await communities_of(person_id)
    if not community_ids:
        return []
    rows = await (
        Building.select(Building.id, Building.name, Building.community.name.as_alias("c"))
        .where(Building.community.is_in(community_ids))
        .order_by(Building.community)
        .order_by(Building.position)
        .order_by(Building.id)
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        groups.setdefault(r["c"], []).append((r["id"], r["name"]))
    return list(groups.items())


async def find_dwelling(building_id: int, door: str) -> int | None:
    """The dwelling of the building with this door number, as a resident types it: in full
    (3号楼2单元501) or without the building's name in front (2单元501)."""
    building = await Building.select(Building.name).where(Building.id == building_id).first()
    if building is None:
        return None
    keys = [key_of(building_id, door), key_of(building_id, building["name"] + door)]
    rows = await Household.select(Household.id, Household.key).where(Household.key.is_in(keys))
    by_key = {r["key"]: r["id"] for r in rows}
    return next((by_key[k] for k in keys if k in by_key), None)


async def _lock(household_id: int) -> None:
    """One decision about a home's residents at a time (PostgreSQL; on SQLite the write
    transaction already takes the lock)."""
    if isinstance(Household._meta.db, PostgresEngine):
        await Household.raw("SELECT id FROM household WHERE id = {} FOR UPDATE", household_id)


async def _keep_a_head(household_id: int | None) -> None:
    """Inside the home's lock, after someone left it: when its head was the one who left, the
    resident confirmed longest becomes head, so a home with confirmed residents has a head."""
    if household_id is None:
        return
    if await Person.exists().where(
        (Person.household == household_id) & (Person.household_head == True)  # noqa: E712
    ):
        return
    successor = await (
        Person.select(Person.id)
        .where((Person.household == household_id) & Person.household_confirmed_at.is_not_null())
        .order_by(Person.household_confirmed_at)
        .order_by(Person.id)
        .first()
    )
    if successor:
        await Person.update({Person.household_head: True}).where(Person.id == successor["id"])


async def _leave(person_id: int, household_id: int | None) -> bool:
    """The person off their home (if it is still `household_id`), and the home kept headed."""
    if household_id is None:
        return False
    await _lock(household_id)
    done = (
        await Person.update(
            {
                Person.household: None,
                Person.household_head: False,
                Person.household_confirmed_at: None,
                Person.household_confirmed_by: None,
            }
        )
        .where((Person.id == person_id) & (Person.household == household_id))
        .returning(Person.id)
    )
    await _keep_a_head(household_id)
    return bool(done)


async def _managers(community_id: int, building_id: int) -> list[int]:
    """Who is told that someone waits: the community's staff and the building's leader."""
    staff = await messages.holders(Role.COMMUNITY_STAFF, community_id)
    leaders = await Membership.select(Membership.person).where(
        (Membership.role == Role.BUILDING_LEADER)
        & (Membership.scope_id == community_id)
        & (Membership.person.building == building_id)
    )
    return [*staff, *(r["person"] for r in leaders)]


async def choose_home(person_id: int, building_id: int, door: str, now: datetime) -> int:
    """The resident says they live in this dwelling: the building must be of a community they
    belong to, and the dwelling one the community has entered. Until staff or the building
    leader confirm it, it does not count. Choosing the home one already has changes nothing.

    A door number the building does not have is refused rather than made: the dwellings of a
    building are the roll that household votes count against (two thirds of the households
    and of the area), so only the community office adds to it, from the property's records."""
    door = clean_name(door)
    errors: dict[str, str] = {}
    building = (
        await Building.select(
            Building.id,
            Building.community,
            Building.community.slug.as_alias("slug"),
            Building.community.office_phone.as_alias("phone"),
        )
        .where(Building.id == building_id)
        .first()
    )
    if building is None or building["community"] not in await communities_of(person_id):
        errors["building"] = _("请选择您所在社区的楼门。")
    if door_error(door):
        errors["door"] = door_error(door)
    if errors or building is None:
        raise Invalid(errors)
    household_id = await find_dwelling(building_id, door)
    if household_id is None:
        phone = building["phone"]
        raise Invalid(
            {
                "door": _(
                    "这栋楼还没有登记门牌“{door}”。请核对门牌号，或到社区居委会登记{phone}。"
                ).format(door=door, phone=_("（电话 {p}）").format(p=phone) if phone else "")
            }
        )
    current = await _link(person_id)
    if current is not None and current.household_id == household_id:
        return household_id
    person = await Person.select(Person.name).where(Person.id == person_id).first()
    found = await dwelling(building["community"], household_id)
    async with write_transaction(Person._meta.db):
        await _leave(person_id, current.household_id if current else None)
        await Person.update(
            {
                Person.household: household_id,
                Person.household_head: False,
                Person.household_confirmed_at: None,
                Person.household_confirmed_by: None,
                Person.building: building_id,
            }
        ).where(Person.id == person_id)
        await messages.tell(
            [p for p in await _managers(building["community"], building_id) if p != person_id],
            _("{name} 说自己住在 {door}，请核实后确认。").format(
                name=person["name"] if person else "", door=found.door
            ),
            f"/staff/c/{building['slug']}/households/?building={building_id}",
            now,
        )
    return household_id


async def _decided(viewer: Viewer, person_id: int, household_id: int) -> HomeLink:
    link = await _link(person_id)
    if link is None or link.household_id != household_id:
        raise NotFound(_("这位居民已经不在这一户了，请刷新后再看。"))
    if not may_manage(viewer, link.community_id, link.building_id):
        raise NotAllowed(_("只有本社区工作人员或这栋楼的楼门长可以确认住户。"))
    return link


async def confirm(viewer: Viewer, person_id: int, household_id: int, now: datetime) -> None:
    """Staff of the community, or the building's leader, confirm the person lives in the home
    they chose. Nobody confirms their own. The first confirmed resident of a home with no
    head becomes its head."""
    link = await _decided(viewer, person_id, household_id)
    if person_id == viewer.id:
        raise NotAllowed(_("不能确认自己的住户，请另一位工作人员确认。"))
    if link.confirmed:
        return
    async with write_transaction(Person._meta.db):
        await _lock(household_id)
        has_head = await Person.exists().where(
            (Person.household == household_id) & (Person.household_head == True)  # noqa: E712
        )
        done = (
            await Person.update(
                {
                    Person.household_confirmed_at: now,
                    Person.household_confirmed_by: viewer.id,
                    Person.household_head: not has_head,
                }
            )
            .where(
                (Person.id == person_id)
                & (Person.household == household_id)
                & Person.household_confirmed_at.is_null()
            )
            .returning(Person.id)
        )
        if done:
            await messages.tell(
                [person_id],
                _("社区已确认您住在 {door}，您可以代表这一户参加议事表决了。").format(
                    door=link.door
                ),
                "/me",
                now,
            )


async def unconfirm(viewer: Viewer, person_id: int, household_id: int, now: datetime) -> None:
    """不是这户: staff or the building leader take the person off the home (they do not live
    there, or moved away). They are told, and may choose their home again."""
    link = await _decided(viewer, person_id, household_id)
    async with write_transaction(Person._meta.db):
        done = await _leave(person_id, household_id)
        if done and person_id != viewer.id:
            await messages.tell(
                [person_id],
                _(
                    "社区核对后，您不是 {door} 的住户。如有误会，请在“我的”里重新选择或联系社区。"
                ).format(door=link.door),
                "/me",
                now,
            )


async def make_head(viewer: Viewer, person_id: int, household_id: int) -> None:
    """The home's head (户长) is this confirmed resident, and nobody else: the others are
    cleared in the same transaction, under the home's lock, so two at once leave one head."""
    link = await _decided(viewer, person_id, household_id)
    if not link.confirmed:
        raise Invalid({"person": _("请先确认这位居民住在这一户，再设为户长。")})
    async with write_transaction(Person._meta.db):
        await _lock(household_id)
        still = await Person.exists().where(
            (Person.id == person_id)
            & (Person.household == household_id)
            & Person.household_confirmed_at.is_not_null()
        )
        if not still:
            raise NotFound(_("这位居民已经不在这一户了，请刷新后再看。"))
        await Person.update({Person.household_head: False}).where(
            (Person.household == household_id) & (Person.id != person_id)
        )
        await Person.update({Person.household_head: True}).where(Person.id == person_id)


async def leave_home(person_id: int) -> None:
    """The person no longer lives there (or chose wrongly): the link, its confirmation and
    headship go (to the resident confirmed longest). The building stays theirs until they
    choose another home."""
    current = await _link(person_id)
    if current is None:
        return
    async with write_transaction(Person._meta.db):
        await _leave(person_id, current.household_id)


# Demo and tests --------------------------------------------------------------------------


async def settle(
    person_id: int, household_id: int, *, confirmed_by: int | None, now: datetime, head: bool
) -> None:
    """Link a person to a dwelling at once, confirmed by `confirmed_by` (the demo's, the
    tests' and the hall demo's people): no message, no check of who confirms. A head is
    made through make_head's rule: the home's others are cleared."""
    row = await Household.select(Household.building).where(Household.id == household_id).first()
    if row is None:
        raise NotFound(_("没有这一户。"))
    async with write_transaction(Person._meta.db):
        await _lock(household_id)
        if head:
            await Person.update({Person.household_head: False}).where(
                Person.household == household_id
            )
        await Person.update(
            {
                Person.household: household_id,
                Person.household_head: head,
                Person.household_confirmed_at: now if confirmed_by else None,
                Person.household_confirmed_by: confirmed_by,
                Person.building: row["building"],
            }
        ).where(Person.id == person_id)
