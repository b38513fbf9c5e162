"""One session per sign-in: an id the browser brings is never adopted, and signing in or
proving to be a filer moves the session to a new id, dropping the old one."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from civic.accounts.roles import Role
from tests import builders

CHOSEN = "ab" * 32  # looks like one of ours, but this server never issued it


async def _signed_in(client: AsyncTestClient) -> bool:
    return (await client.get("/me")).status_code == 200


async def test_an_id_chosen_by_someone_else_never_becomes_a_signed_in_session(client, app):
    community = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    client.cookies.set("session", CHOSEN, domain="testserver.local")
    await builders.sign_in(client, phone)
    issued = client.cookies.get("session")
    assert issued and issued != CHOSEN
    assert await _signed_in(client)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as attacker:
        attacker.follow_redirects = False
        attacker.cookies.set("session", CHOSEN, domain="testserver.local")
        assert not await _signed_in(attacker)


async def test_signing_in_after_an_anonymous_filing_drops_the_filing_session(client, app):
    community = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    filed = await builders.post_form(
        client,
        f"/c/{community.slug}/suggestions/new",
        {"category": "环境卫生", "text": "楼道灯坏了", "public": "1"},
    )
    assert filed.status_code == 303
    left_behind = client.cookies.get("session")  # e.g. on the community desk's computer
    assert left_behind
    await builders.sign_in(client, phone)
    assert client.cookies.get("session") not in (None, left_behind)
    assert await _signed_in(client)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as next_person:
        next_person.follow_redirects = False
        next_person.cookies.set("session", left_behind, domain="testserver.local")
        assert not await _signed_in(next_person)


async def test_a_garbage_or_overlong_session_cookie_is_no_session(client):
    for value in ("x" * 5000, "../../etc", "null", "ABC%E2%80%AE"):
        client.cookies.set("session", value, domain="testserver.local")
        response = await client.get("/")
        assert response.status_code == 200
        assert (await client.get("/me")).status_code in (302, 303, 401, 403)
