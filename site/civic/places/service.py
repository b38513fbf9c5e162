"""Reading and making places: district › street › community › grid and building."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from civic.errors import DomainError, NotFound
from civic.kept import kept
from civic.places.tables import Building, Community, Department, District, Grid, Street
from civic.prepared import Prepared
from civic.web.i18n import _
from civic.web.inputs import clean_name

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}$")


@dataclass(frozen=True)
class CommunityInfo:
    id: int
    name: str
    slug: str
    street_id: int
    street_name: str
    street_slug: str
    address: str
    office_hours: str
    office_phone: str
    intro: str


@dataclass(frozen=True)
class StreetInfo:
    id: int
    name: str
    slug: str
    communities: list[CommunityInfo] = field(default_factory=list)


@dataclass(frozen=True)
class GridInfo:
    id: int
    name: str
    buildings: list[str] = field(default_factory=list)


_COMMUNITY_COLUMNS = (
    Community.id,
    Community.name,
    Community.slug,
    Community.street.id.as_alias("street_id"),
    Community.street.name.as_alias("street_name"),
    Community.street.slug.as_alias("street_slug"),
    Community.address,
    Community.office_hours,
    Community.office_phone,
    Community.intro,
)


# Every community page asks these: built once (civic/prepared.py).
_COMMUNITY_BY_SLUG = Prepared(
    lambda slug: Community.select(*_COMMUNITY_COLUMNS).where(Community.slug == slug).first(),
    slug=str,
)
_GRIDS = Prepared(
    lambda community: (
        Grid.select(Grid.id, Grid.name)
        .where(Grid.community == community)
        .order_by(Grid.position)
        .order_by(Grid.id)
    ),
    community=int,
)
_BUILDINGS = Prepared(
    lambda community: (
        Building.select(Building.id, Building.name, Building.grid)
        .where(Building.community == community)
        .order_by(Building.position)
        .order_by(Building.id)
    ),
    community=int,
)


async def community_by_slug(slug: str) -> CommunityInfo | None:
    return await kept(("community", slug), lambda: _community_by_slug(slug))


async def _community_by_slug(slug: str) -> CommunityInfo | None:
    row = await _COMMUNITY_BY_SLUG(slug=slug)
    return CommunityInfo(**row) if row else None


async def community_or_404(slug: str) -> CommunityInfo:
    """The community a URL names; a Chinese 404 for a slug that names none."""
    community = await community_by_slug(slug)
    if community is None:
        raise NotFound(_("没有这个社区，请从首页重新选择。"))
    return community


async def communities_by_id(ids: list[int]) -> dict[int, CommunityInfo]:
    if not ids:
        return {}
    rows = await Community.select(*_COMMUNITY_COLUMNS).where(Community.id.is_in(ids))
    return {r["id"]: CommunityInfo(**r) for r in rows}


async def street_by_slug(slug: str) -> StreetInfo | None:
    row = (
        await Street.select(Street.id, Street.name, Street.slug).where(Street.slug == slug).first()
    )
    return StreetInfo(**row) if row else None


async def department_by_slug(slug: str) -> dict | None:
    return await Department.select().where(Department.slug == slug).first()


_DISTRICT_NAME = Prepared(lambda: District.select(District.name).first())
_STREETS = Prepared(
    lambda: (
        Street.select(Street.id, Street.name, Street.slug)
        .order_by(Street.position)
        .order_by(Street.id)
    )
)
_COMMUNITIES = Prepared(
    lambda: (
        Community.select(*_COMMUNITY_COLUMNS).order_by(Community.position).order_by(Community.id)
    )
)


async def district_name() -> str:
    row = await _DISTRICT_NAME()
    return row["name"] if row else ""


async def district_overview() -> list[StreetInfo]:
    """Every street with its communities, in two queries."""
    by_street = {s["id"]: StreetInfo(**s) for s in await _STREETS()}
    for row in await _COMMUNITIES():
        by_street[row["street_id"]].communities.append(CommunityInfo(**row))
    return list(by_street.values())


async def community_grids(community_id: int) -> tuple[list[GridInfo], list[str]]:
    """The community's grids with their buildings, and the buildings not yet in a grid."""
    grids = await _GRIDS(community=community_id)
    buildings = await _BUILDINGS(community=community_id)
    by_id = {g["id"]: GridInfo(g["id"], g["name"]) for g in grids}
    loose: list[str] = []
    for b in buildings:
        grid = by_id.get(b["grid"])
        (grid.buildings if grid else loose).append(b["name"])
    return list(by_id.values()), loose


async def buildings_of(community_id: int) -> list[dict]:
    """A community's buildings (id, name, grid) in their order: a filing form's choice."""
    return await _BUILDINGS(community=community_id)


async def buildings_by_community() -> dict[int, list[dict]]:
    """Every building (id, name) grouped by community, for sign-up's building choice."""
    rows = (
        await Building.select(Building.id, Building.name, Building.community)
        .order_by(Building.position)
        .order_by(Building.id)
    )
    grouped: dict[int, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r["community"], []).append({"id": r["id"], "name": r["name"]})
    return grouped


async def building_community(building_id: int) -> int | None:
    row = await Building.select(Building.community).where(Building.id == building_id).first()
    return row["community"] if row else None


async def departments() -> list[dict]:
    return await Department.select(Department.id, Department.name, Department.slug).order_by(
        Department.id
    )


# Making places (demo data, tests and the admin shell) ---------------------------------------


def _check_slug(slug: str) -> None:
    if not SLUG.match(slug):
        raise DomainError(_("网址名只能用小写字母、数字和短横线，2 到 39 个字符。"))


async def create_district(name: str) -> int:
    row = (await District.insert(District(name=clean_name(name))).returning(District.id))[0]
    return row["id"]


async def create_street(district_id: int, name: str, slug: str, position: int = 0) -> int:
    _check_slug(slug)
    street = Street(district=district_id, name=clean_name(name), slug=slug, position=position)
    return (await Street.insert(street).returning(Street.id))[0]["id"]


async def create_community(street_id: int, name: str, slug: str, **details: str | int) -> int:
    _check_slug(slug)
    # Piccolo takes the columns as **kwargs beside flags of its own, which details never names.
    community = Community(street=street_id, name=clean_name(name), slug=slug, **details)  # type: ignore[arg-type]
    return (await Community.insert(community).returning(Community.id))[0]["id"]


async def create_grid(community_id: int, name: str, position: int = 0) -> int:
    grid = Grid(community=community_id, name=clean_name(name), position=position)
    return (await Grid.insert(grid).returning(Grid.id))[0]["id"]


async def create_building(
    community_id: int, name: str, grid_id: int | None = None, position: int = 0
) -> int:
    building = Building(
        community=community_id, grid=grid_id, name=clean_name(name), position=position
    )
    return (await Building.insert(building).returning(Building.id))[0]["id"]


async def create_department(name: str, slug: str) -> int:
    _check_slug(slug)
    return (
        await Department.insert(Department(name=clean_name(name), slug=slug)).returning(
            Department.id
        )
    )[0]["id"]


async def building_name(building_id: int) -> str:
    row = (
        await Building.select(Building.name, Building.community.name)
        .where(Building.id == building_id)
        .first()
    )
    return f"{row['community.name']} {row['name']}" if row else ""
