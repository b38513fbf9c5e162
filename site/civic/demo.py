"""The demo district loaded by `civic demo` (and `make run`). Loading it twice changes nothing.
Every name is invented. Each feature adds its own part (its `demo` in civic/features.py)."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.tables import Membership, Person
from civic.places import households
from civic.places import service as places
from civic.places.tables import Building, Community, Department, Household, Street

DEMO_PASSWORD = "demo1234"  # noqa: S105 (printed in the README on purpose)
DISTRICT = "青溪区"

STREETS = [
    (
        "柳荫街道",
        "liuyin",
        [
            ("杏花社区", "xinghua", "杏花路 12 号", "010-6351-2201"),
            ("槐树里社区", "huaishuli", "槐树里 3 号楼底商", "010-6351-3302"),
        ],
    ),
    (
        "南湖街道",
        "nanhu",
        [
            ("湖畔社区", "hupan", "南湖东路 88 号", "010-6722-4403"),
            ("新桥社区", "xinqiao", "新桥北街 6 号", "010-6722-5504"),
        ],
    ),
]
DEPARTMENTS = [("区城市管理委员会", "chengguan"), ("区住房和城乡建设委员会", "zhujian")]
OFFICE_HOURS = "周一至周五 8:30–17:30，周六上午 9:00–12:00"


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    name: str
    role: Role
    place: str  # a community, street or department slug; "" for the district
    note: str = ""


ACCOUNTS = [
    DemoAccount("13900000001", "区管理员", Role.DISTRICT_ADMIN, ""),
    DemoAccount("13900000002", "周建国", Role.STREET_OFFICIAL, "liuyin"),
    DemoAccount("13900000003", "吴晓燕", Role.STREET_OFFICIAL, "nanhu"),
    DemoAccount("13900000004", "钱立新", Role.DEPARTMENT_STAFF, "chengguan"),
    DemoAccount("13900000005", "冯国栋", Role.DEPARTMENT_STAFF, "zhujian"),
    DemoAccount("13900000011", "王秀兰", Role.COMMUNITY_STAFF, "xinghua"),
    DemoAccount("13900000012", "刘志强", Role.COMMUNITY_STAFF, "huaishuli"),
    DemoAccount("13900000013", "陈静", Role.COMMUNITY_STAFF, "hupan"),
    DemoAccount("13900000014", "杨帆", Role.COMMUNITY_STAFF, "xinqiao"),
    DemoAccount("13900000021", "赵海燕", Role.GRID_WORKER, "xinghua", "杏花社区第一网格"),
    DemoAccount("13900000022", "孙德胜", Role.BUILDING_LEADER, "xinghua", "杏花社区 3 号楼"),
    DemoAccount("13900000023", "马淑珍", Role.COUNCIL_MEMBER, "xinghua", "杏花社区议事会成员"),
    DemoAccount("13900000031", "李桂芳", Role.RESIDENT, "xinghua", "78 岁，独居"),
    DemoAccount("13900000032", "张福林", Role.RESIDENT, "xinghua", "82 岁"),
    DemoAccount("13900000033", "马玉珍", Role.RESIDENT, "huaishuli", "75 岁"),
    DemoAccount("13900000034", "郑小雨", Role.RESIDENT, "hupan"),
    DemoAccount("13900000041", "黄志远", Role.PARTY_MEMBER, "xinghua", "在职党员，区医院"),
    DemoAccount("13900000042", "林晓梅", Role.PARTY_MEMBER, "hupan", "在职党员，南湖小学"),
    DemoAccount("13900000051", "何师傅", Role.MERCHANT_STAFF, "", "合作商户：杏花便民超市"),
    DemoAccount("13900000052", "许老板", Role.MERCHANT_STAFF, "", "合作商户：南湖理发店"),
    DemoAccount("13900000061", "罗秀琴", Role.PARTY_REPRESENTATIVE, "xinghua", "党代表意见箱"),
]


async def load_places() -> None:
    if await Street.exists().where(Street.slug == STREETS[0][1]):
        return
    district_id = await places.create_district(DISTRICT)
    for s_pos, (street_name, street_slug, communities) in enumerate(STREETS):
        street_id = await places.create_street(district_id, street_name, street_slug, s_pos)
        for c_pos, (name, slug, address, phone) in enumerate(communities):
            community_id = await places.create_community(
                street_id,
                name,
                slug,
                address=address,
                office_phone=phone,
                office_hours=OFFICE_HOURS,
                position=c_pos,
                intro=f"{name}位于{street_name}，居民约三千户。有事找居委会，也可以在这里办。",
            )
            for g in range(3):
                grid_id = await places.create_grid(community_id, f"第{'一二三'[g]}网格", g)
                for b in range(4):
                    number = g * 4 + b + 1
                    await places.create_building(community_id, f"{number}号楼", grid_id, number)
    for name, slug in DEPARTMENTS:
        await places.create_department(name, slug)


async def _scope_id(account: DemoAccount) -> int:
    scope = account.role.scope.value
    if scope == "district":
        return 0
    if scope == "merchant":
        return 1 if account.phone.endswith("51") else 2
    tables: dict[str, type[Community | Street | Department]] = {
        "community": Community,
        "street": Street,
        "department": Department,
    }
    table = tables[scope]
    row = await table.select(table.id).where(table.slug == account.place).first()
    if row is None:
        raise LookupError(f"demo account {account.phone} names no place {account.place}")
    return row["id"]


async def load_accounts() -> None:
    for account in ACCOUNTS:
        if await accounts.person_id_by_phone(account.phone):
            continue
        person_id = await accounts.create_person(account.phone, account.name, DEMO_PASSWORD)
        await accounts.grant(person_id, account.role, await _scope_id(account))
        if account.role in {Role.PARTY_MEMBER, Role.BUILDING_LEADER, Role.GRID_WORKER}:
            await accounts.grant(person_id, Role.RESIDENT, await _scope_id(account))


# Households ----------------------------------------------------------------------------

DEMO_HOMES: dict[str, tuple[str, str, int, bool]] = {
    # phone: (community, building, which dwelling of it, confirmed)
    "13900000022": ("xinghua", "3号楼", 0, True),  # 孙德胜, the building's leader
    "13900000031": ("xinghua", "1号楼", 0, True),
    "13900000032": ("xinghua", "3号楼", 1, True),
    "13900000033": ("huaishuli", "1号楼", 0, True),
    "13900000034": ("hupan", "2号楼", 0, True),
    "13900000021": ("xinghua", "4号楼", 0, True),
    "13900000041": ("xinghua", "3号楼", 2, False),  # waits for 孙德胜 or the staff to confirm
    "13900000042": ("hupan", "1号楼", 2, True),
}
STAFF_OF = {
    "xinghua": "13900000011",
    "huaishuli": "13900000012",
    "hupan": "13900000013",
    "xinqiao": "13900000014",
}


def demo_dwellings(community_slug: str, building_name: str) -> list[tuple[str, int]]:
    """A building's dwellings (door, area in dm²): 1 or 2 entrances of 3 to 6 floors, two
    flats a floor, 45 to 120 m²; the same every time for the same building."""
    rng = random.Random(f"{community_slug}/{building_name}")  # noqa: S311 (demo data)
    units = 2 if rng.random() < 0.5 else 1
    floors = 6 if units == 1 else rng.randint(3, 6)
    return [
        (f"{building_name}{u}单元{f}{r:02d}", rng.randrange(4500, 12001, 50))
        for u in range(1, units + 1)
        for f in range(1, floors + 1)
        for r in (1, 2)
    ]


async def load_households() -> None:
    """Every demo building's dwellings (loading twice adds none), and the demo accounts'
    homes: confirmed by their community's staff, the first of each home its head."""
    buildings = await Building.select(
        Building.id, Building.name, Building.community.slug.as_alias("slug")
    )
    for b in buildings:
        await Household.insert(
            *(
                Household(
                    building=b["id"], door=door, area_dm2=area, key=households.key_of(b["id"], door)
                )
                for door, area in demo_dwellings(b["slug"], b["name"])
            )
        ).on_conflict(action="DO NOTHING")
    by_place = {(b["slug"], b["name"]): b["id"] for b in buildings}
    now = datetime.now(UTC)
    for phone, (slug, name, index, confirmed) in DEMO_HOMES.items():
        person_id = await accounts.person_id_by_phone(phone)
        building_id = by_place.get((slug, name))
        if person_id is None or building_id is None or await _housed(person_id):
            continue
        homes = await households.dwellings(building_id)
        staff = await accounts.person_id_by_phone(STAFF_OF[slug])
        home = homes[index % len(homes)]
        await households.settle(
            person_id,
            home.id,
            confirmed_by=staff if confirmed else None,
            now=now,
            head=confirmed and not any(r.is_head for r in home.residents),
        )


async def _housed(person_id: int) -> bool:
    return await Person.exists().where((Person.id == person_id) & Person.household.is_not_null())


async def building_households(building_id: int) -> list[households.Dwelling]:
    """For the hall's demo: a building's dwellings (id, door, area_dm2) with their residents
    (id, masked name, is_head, confirmed), in door order."""
    return await households.dwellings(building_id)


async def house_people(
    building_id: int, person_ids: list[int], now: datetime | None = None
) -> dict[int, int]:
    """For the hall's demo: give each of these people a home in the building, confirmed by
    a staff member of its community, the dwellings with fewest residents first and the first
    resident of a home its head. Someone who already has a home keeps it; calling it again
    changes nothing. Returns each person's household id."""
    now = now or datetime.now(UTC)
    community_id = await places.building_community(building_id)
    staff = (
        await Membership.select(Membership.person)
        .where((Membership.role == Role.COMMUNITY_STAFF) & (Membership.scope_id == community_id))
        .first()
    )
    confirmed_by = staff["person"] if staff else None
    homes = await households.dwellings(building_id)
    if not homes:
        return {}
    count = {h.id: len(h.residents) for h in homes}
    heads = {h.id for h in homes if any(r.is_head for r in h.residents)}
    placed: dict[int, int] = {}
    current = await Person.select(Person.id, Person.household).where(
        Person.id.is_in(person_ids or [0])
    )
    known = {r["id"]: r["household"] for r in current}
    for person_id in person_ids:
        if person_id not in known:
            continue
        if known[person_id] is not None:
            placed[person_id] = known[person_id]
            continue
        home = min(homes, key=lambda h: count[h.id])
        head = home.id not in heads and confirmed_by is not None
        await households.settle(person_id, home.id, confirmed_by=confirmed_by, now=now, head=head)
        count[home.id] += 1
        if head:
            heads.add(home.id)
        placed[person_id] = home.id
    return placed


async def load(say: Callable[[str], None] | None = None) -> None:
    """The whole demo district; `say` hears a line as each part starts and what it took (the
    wish trees, cases and topics take a minute together: nobody should wonder whether it
    hangs)."""
    from civic import features

    parts: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("地区、街道和社区", load_places),
        ("演示账号", load_accounts),
        ("住户", load_households),
    ]
    parts += [
        (f.entry.label if f.entry else f.name, f.demo)
        for f in features.load()
        if f.demo is not None
    ]
    for label, part in parts:
        started = time.monotonic()
        if say:
            say(f"  {label}……")
        await part()
        if say:
            say(f"  {label} 完成，用时 {time.monotonic() - started:.1f} 秒")


def place_names() -> dict[str, str]:
    """Each demo place's name by its slug: the account list names places as people do."""
    names = {slug: name for name, slug in DEPARTMENTS}
    for street_name, street_slug, communities in STREETS:
        names[street_slug] = street_name
        names.update({slug: name for name, slug, _address, _phone in communities})
    return names


def account_lines() -> list[str]:
    """The demo accounts as `civic demo` prints them: phone, name, role and place, note."""
    names = place_names()
    lines = []
    for a in ACCOUNTS:
        place = names.get(a.place, a.place) or ("全区" if a.role is Role.DISTRICT_ADMIN else "")
        role = f"{a.role.label}·{place}" if place else a.role.label
        lines.append(f"  {a.phone}  {a.name:<6}  {role}  {a.note}".rstrip())
    return lines


async def more_account_lines() -> list[str]:
    """The accounts the features' demo parts add (the helpers and residents of each wish tree):
    read back from the database, each run of numbers with the same roles in the same community
    on one line, so the list says what was made whatever a feature adds."""
    listed = {a.phone for a in ACCOUNTS}
    rows = await Person.raw(
        "SELECT p.phone, m.role, c.name AS community FROM person p"
        " JOIN membership m ON m.person = p.id"
        " LEFT JOIN community c ON c.id = m.scope_id"
        " ORDER BY p.phone"
    )
    people: dict[str, tuple[str, set[str]]] = {}
    for r in rows:
        if r["phone"] in listed:
            continue
        community, roles = people.setdefault(r["phone"], (r["community"] or "", set()))
        roles.add(r["role"])
    runs: list[tuple[str, str, str]] = []  # first phone, last phone, who
    for phone, (community, roles) in people.items():
        shown = {Role(x) for x in roles}
        main = max(shown, key=list(Role).index)  # a party member is a resident too
        who = f"{main.label}·{community}" if community else main.label
        if runs and runs[-1][2] == who and int(phone) == int(runs[-1][1]) + 1:
            runs[-1] = (runs[-1][0], phone, who)
        else:
            runs.append((phone, phone, who))
    return [f"  {first}{' – ' + last if last != first else ''}  {who}" for first, last, who in runs]
