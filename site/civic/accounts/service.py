"""People, passwords and the roles they hold. No HTTP in here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.accounts.roles import Role, Scope
from civic.accounts.tables import Membership, Person
from civic.errors import DomainError, NotFound
from civic.places import service as places
from civic.prepared import Prepared
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long

PHONE = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128


def normalise_phone(raw: str) -> str:
    """'138 1234-5678', '+86 13812345678' -> '13812345678'; anything else is returned as typed."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def phone_error(phone: str) -> str | None:
    if not phone:
        return _("请填写手机号。")
    if not PHONE.match(phone):
        return _("手机号应为 11 位数字，以 1 开头。")
    return None


def name_error(name: str) -> str | None:
    name = clean_name(name)
    if not name:
        return _("请填写姓名。")
    return too_long(name, Person.name.length) or None


def password_error(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return _("密码至少 {n} 位。").format(n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("密码最多 {n} 位。").format(n=MAX_PASSWORD)
    return None


@dataclass(frozen=True)
class PersonRow:
    id: int
    phone: str
    name: str
    building_id: int | None


async def create_person(
    phone: str, name: str, password: str, building_id: int | None = None
) -> int:
    """A new account; raises DomainError when the phone number is taken or a field is wrong."""
    name = clean_name(name)
    for error in (phone_error(phone), name_error(name), password_error(password)):
        if error:
            raise DomainError(error)
    if await Person.exists().where(Person.phone == phone):
        raise DomainError(_("这个手机号已有账号。"))
    person = Person(
        phone=phone, name=name, password_hash=await hash_password(password), building=building_id
    )
    return (await Person.insert(person).returning(Person.id))[0]["id"]


async def register_resident(
    phone: str, name: str, password: str, community_id: int, building_id: int | None
) -> int | None:
    """Sign-up: a person and their resident role. None when the phone is already registered;
    the caller answers the same either way, so sign-up cannot tell who has an account."""
    if await Person.exists().where(Person.phone == phone):
        await hash_password(password)  # the same work as a real sign-up
        return None
    person_id = await create_person(phone, name, password, building_id)
    await grant(person_id, Role.RESIDENT, community_id)
    return person_id


async def authenticate(phone: str, password: str) -> int | None:
    """The person's id when phone and password match an active account."""
    row = (
        await Person.select(Person.id, Person.password_hash)
        .where((Person.phone == phone) & (Person.is_active.eq(True)))
        .first()
    )
    if not await verify_password(row["password_hash"] if row else None, password) or row is None:
        return None
    changes: dict = {Person.last_login_at: datetime.now(UTC)}
    if needs_rehash(row["password_hash"]):
        changes[Person.password_hash] = await hash_password(password)
    await Person.update(changes).where(Person.id == row["id"])
    return row["id"]


async def set_password(person_id: int, password: str) -> None:
    error = password_error(password)
    if error:
        raise DomainError(error)
    await Person.update({Person.password_hash: await hash_password(password)}).where(
        Person.id == person_id
    )


async def person(person_id: int) -> PersonRow:
    row = (
        await Person.select(Person.id, Person.phone, Person.name, Person.building)
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        raise NotFound(_("没有这个人。"))
    return PersonRow(row["id"], row["phone"], row["name"], row["building"])


async def person_id_by_phone(phone: str) -> int | None:
    row = await Person.select(Person.id).where(Person.phone == phone).first()
    return row["id"] if row else None


async def resident_by_phone(phone: str, community_id: int) -> int | None:
    """A resident of this community with this phone; None for anyone else, so that typing a
    number tells nothing about people elsewhere (staff and officials included)."""
    row = (
        await Membership.select(Membership.person.id.as_alias("id"))
        .where(
            (Membership.person.phone == phone)
            & (Membership.role == Role.RESIDENT)
            & (Membership.scope_id == community_id)
            & (Membership.person.is_active == True)  # noqa: E712
        )
        .first()
    )
    return row["id"] if row else None


# Roles -------------------------------------------------------------------------------------


async def scope_exists(role: Role, scope_id: int) -> bool:
    match role.scope:
        case Scope.DISTRICT:
            return scope_id == 0
        case Scope.COMMUNITY:
            return bool(await places.communities_by_id([scope_id]))
        case Scope.STREET:
            return any(s.id == scope_id for s in await places.district_overview())
        case Scope.DEPARTMENT:
            return any(d["id"] == scope_id for d in await places.departments())
        case Scope.MERCHANT:
            return scope_id > 0  # merchants arrive with the points feature


async def grant(person_id: int, role: Role, scope_id: int, granted_by: int | None = None) -> bool:
    """Give a role in a place. False when the person already holds it there."""
    if not await scope_exists(role, scope_id):
        raise DomainError(_("这个角色所在的地方不存在。"))
    membership = Membership(person=person_id, role=role, scope_id=scope_id, granted_by=granted_by)
    rows = (
        await Membership.insert(membership)
        .on_conflict(action="DO NOTHING")
        .returning(Membership.id)
    )
    return bool(rows)


async def revoke(person_id: int, membership_id: int) -> None:
    await Membership.delete().where(
        (Membership.id == membership_id) & (Membership.person == person_id)
    )


@dataclass(frozen=True)
class MembershipRow:
    id: int
    role: Role
    scope_id: int
    place_name: str


async def memberships(person_ids: list[int]) -> dict[int, list[MembershipRow]]:
    """Each person's roles with the name of the place each is held in, in three queries."""
    if not person_ids:
        return {}
    rows = (
        await Membership.select(
            Membership.id, Membership.person, Membership.role, Membership.scope_id
        )
        .where(Membership.person.is_in(person_ids))
        .order_by(Membership.id)
    )
    names = await place_names(rows)
    grouped: dict[int, list[MembershipRow]] = {pid: [] for pid in person_ids}
    for r in rows:
        role = Role(r["role"])
        grouped[r["person"]].append(
            MembershipRow(r["id"], role, r["scope_id"], names.get((role.scope, r["scope_id"]), ""))
        )
    return grouped


async def place_names(rows: list[dict]) -> dict[tuple[Scope, int], str]:
    names: dict[tuple[Scope, int], str] = {(Scope.DISTRICT, 0): await places.district_name()}
    community_ids = [r["scope_id"] for r in rows if Role(r["role"]).scope is Scope.COMMUNITY]
    for cid, c in (await places.communities_by_id(community_ids)).items():
        names[(Scope.COMMUNITY, cid)] = c.name
    for street in await places.district_overview():
        names[(Scope.STREET, street.id)] = street.name
    for d in await places.departments():
        names[(Scope.DEPARTMENT, d["id"])] = d["name"]
    return names


async def people(query: str = "", limit: int = 50) -> list[PersonRow]:
    select = Person.select(Person.id, Person.phone, Person.name, Person.building)
    query = query.strip()
    if query:
        select = select.where(Person.phone.like(f"%{query}%") | Person.name.like(f"%{query}%"))
    rows = await select.order_by(Person.id, ascending=False).limit(limit)
    return [PersonRow(r["id"], r["phone"], r["name"], r["building"]) for r in rows]


async def community_people(community_id: int) -> list[dict]:
    """Everyone holding a role in the community, with their roles: for its staff only."""
    rows = (
        await Membership.select(
            Membership.person.id.as_alias("id"),
            Membership.person.name.as_alias("name"),
            Membership.person.phone.as_alias("phone"),
            Membership.person.building.name.as_alias("building"),  # type: ignore[union-attr]
            Membership.role,
        )
        .where(Membership.scope_id == community_id)
        .order_by(Membership.person.name)
    )
    by_person: dict[int, dict] = {}
    for r in rows:
        role = Role(r["role"])
        if role.scope is not Scope.COMMUNITY:
            continue
        entry = by_person.setdefault(r["id"], {**r, "roles": []})
        entry["roles"].append(role)
    return list(by_person.values())


# Every case filed and every step that lands on a desk asks who holds it: built once.
_HOLDERS = Prepared(
    lambda role, scope_id: (
        Membership.select(
            Membership.person.id.as_alias("id"), Membership.person.name.as_alias("name")
        )
        .where((Membership.role == role) & (Membership.scope_id == scope_id))
        .where(Membership.person.is_active == True)  # noqa: E712
        .order_by(Membership.person.name)
    ),
    role=str,
    scope_id=int,
)


async def holders(role: Role, scope_id: int) -> list[dict]:
    """The people (id, name) holding `role` in one place, e.g. a community's representatives."""
    return await _HOLDERS(role=role.value, scope_id=scope_id)
