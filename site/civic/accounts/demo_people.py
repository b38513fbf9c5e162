"""The demo's people as each feature's demo part makes them: found by phone or made, with their
roles; and the viewer a demo step is taken as. Loading a demo twice makes nobody twice."""

from __future__ import annotations

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer

DEMO_PASSWORD = "demo1234"  # noqa: S105 (printed in the README on purpose)


async def demo_person(phone: str, name: str, *roles: tuple[Role, int]) -> int:
    person_id = await accounts.person_id_by_phone(phone)
    if person_id is None:
        person_id = await accounts.create_person(phone, name, DEMO_PASSWORD)
    for role, scope in roles:
        await accounts.grant(person_id, role, scope)
    return person_id


async def demo_viewer(person_id: int) -> Viewer:
    viewer = await load_viewer(person_id)
    if viewer is None:
        raise LookupError(f"demo person {person_id} is not active")
    return viewer
