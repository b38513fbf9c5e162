"""Who is looking: the signed-in person and the roles they hold, loaded once per request."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency

from civic.accounts.roles import Role, Scope
from civic.accounts.tables import Person
from civic.errors import SignInRequired
from civic.kept import kept
from civic.web.i18n import _

SESSION_KEY = "pid"


@dataclass(frozen=True)
class Grant:
    role: Role
    scope_id: int


@dataclass(frozen=True)
class Place:
    """Where an action happens; the guard compares it with the places a person's roles cover."""

    community_id: int | None = None
    street_id: int | None = None
    department_id: int | None = None
    merchant_id: int | None = None


@dataclass(frozen=True)
class Home:
    """The household a person lives in: what votes per household and building topics need."""

    id: int
    building_id: int
    grid_id: int | None
    community_id: int
    door: str
    area_dm2: int
    is_head: bool
    confirmed: bool
    """Staff or the building leader confirmed the person lives there: only then does it count."""


@dataclass(frozen=True)
class Viewer:
    id: int
    name: str
    phone: str
    building_id: int | None
    grants: tuple[Grant, ...]
    unread: int = 0
    """Unread messages, for the header of every page."""
    home: Home | None = None

    def holds(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    def scopes(self, role: Role) -> list[int]:
        return [g.scope_id for g in self.grants if g.role is role]


SOMEONE = Viewer(0, "", "", None, ())
"""Anyone signed in, with no role, no home and no tie to what a page shows: who a route builds
a page for when its viewer would see exactly that (web/shared_views.py), so one rendering
serves them all and never holds anyone's name."""


def covers(grant: Grant, place: Place) -> bool:
    match grant.role.scope:
        case Scope.DISTRICT:
            return True
        case Scope.STREET:
            return place.street_id == grant.scope_id
        case Scope.COMMUNITY:
            return place.community_id == grant.scope_id
        case Scope.DEPARTMENT:
            return place.department_id == grant.scope_id
        case Scope.MERCHANT:
            return place.merchant_id == grant.scope_id


def may_act(viewer: Viewer | None, roles: frozenset[Role] | set[Role], place: Place | None) -> bool:
    """Does the viewer hold one of `roles` in a place that covers `place`?
    With no place, holding the role anywhere is enough."""
    if viewer is None:
        return False
    return any(g.role in roles and (place is None or covers(g, place)) for g in viewer.grants)


async def load_viewer(person_id: int) -> Viewer | None:
    """The person, all their roles, their home and their unread messages in one query: it runs
    on every signed-in page."""
    rows = await Person.raw(
        "SELECT p.id, p.name, p.phone, p.building, m.role, m.scope_id,"
        # The unread count rides along in the same query (message is indexed by person):
        # the header shows it on every page at no extra round trip.
        " (SELECT COUNT(*) FROM message WHERE message.person = p.id"
        "  AND message.read_at IS NULL) AS unread,"
        " h.id AS home, h.building AS home_building, b.grid AS home_grid,"
        " b.community AS home_community, h.door AS home_door, h.area_dm2 AS home_area,"
        " p.household_head AS home_head, p.household_confirmed_at AS home_confirmed"
        " FROM person p LEFT JOIN membership m ON m.person = p.id"
        " LEFT JOIN household h ON h.id = p.household"
        " LEFT JOIN building b ON b.id = h.building"
        " WHERE p.id = {} AND p.is_active = {}",
        person_id,
        True,
    )
    if not rows:
        return None
    first = rows[0]
    grants = tuple(Grant(Role(r["role"]), r["scope_id"]) for r in rows if r["role"])
    home = None
    if first["home"] is not None:
        home = Home(
            first["home"],
            first["home_building"],
            first["home_grid"],
            first["home_community"],
            first["home_door"],
            first["home_area"],
            bool(first["home_head"]),
            first["home_confirmed"] is not None,
        )
    return Viewer(
        first["id"],
        first["name"],
        first["phone"],
        first["building"],
        grants,
        first["unread"],
        home,
    )


async def current_viewer(connection: ASGIConnection) -> Viewer | None:
    """The signed-in person, loaded at most once per request; None for visitors."""
    state = connection.state
    if "viewer" in state:
        return state["viewer"]
    viewer = None
    session = connection.scope.get("session")
    if isinstance(session, dict):
        person_id = session.get(SESSION_KEY)
        if isinstance(person_id, int):
            viewer = await kept(("viewer", person_id), lambda: load_viewer(person_id))
    state["viewer"] = viewer
    return viewer


async def provide_viewer(request: ASGIConnection) -> Viewer:
    """The `viewer` of a handler behind a sign-in guard: always a person, never None."""
    viewer = await current_viewer(request)
    if viewer is None:
        raise SignInRequired(_("请先登录。"))
    return viewer


async def provide_visitor(request: ASGIConnection) -> Viewer | None:
    """The `visitor` of a public handler: the signed-in person, or None."""
    return await current_viewer(request)


SignedIn = NamedDependency[Viewer]
"""A handler's `viewer: SignedIn` parameter: the person, behind a sign-in guard."""
MaybeSignedIn = NamedDependency[Viewer | None]
"""A public handler's `visitor: MaybeSignedIn` parameter: the person, or None."""
