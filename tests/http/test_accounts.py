"""A resident signs up, signs in, looks at /me and signs out."""

from __future__ import annotations

from civic.accounts.passwords import needs_rehash
from civic.accounts.roles import Role
from civic.accounts.tables import Membership, Person
from civic.places import service as places
from tests import builders
from tests.builders import PASSWORD, post_form, sign_in, text_of


async def test_sign_up_then_sign_in_and_see_me(client):
    c = await builders.community(name="杏花社区")
    building = await places.create_building(c.id, "3号楼")
    page = await client.get(f"/signup?community={c.slug}")
    assert page.status_code == 200
    assert f'value="{c.slug}" selected' in page.text

    response = await post_form(
        client,
        "/signup",
        {
            "phone": "138 1234 5678",
            "name": "李桂芳",
            "password": "my secret 1",
            "community": c.slug,
            "building": str(building),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"  # signed in already
    person = await Person.select().where(Person.phone == "13812345678").first()
    assert person["name"] == "李桂芳" and person["building"] == building
    assert await Membership.count().where(
        (Membership.person == person["id"])
        & (Membership.role == Role.RESIDENT)
        & (Membership.scope_id == c.id)
    )
    assert "my secret" not in person["password_hash"]
    assert person["password_hash"].startswith("$argon2id$")

    await sign_in(client, "13812345678", "my secret 1")
    me = await client.get("/me")
    assert me.status_code == 200
    text = text_of(me.text)
    assert "李桂芳" in text and "13812345678" in text and "居民 · 杏花社区" in text
    assert "杏花社区 3号楼" in text


async def test_sign_up_with_bad_input_keeps_what_was_typed(client):
    c = await builders.community()
    response = await post_form(
        client,
        "/signup",
        {"phone": "1234", "name": "王秀兰", "password": "short", "community": c.slug},
    )
    assert response.status_code == 422
    assert "手机号应为 11 位数字" in response.text
    assert "密码至少 8 位" in response.text
    assert 'value="王秀兰"' in response.text and 'value="1234"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "short" not in response.text  # passwords are never echoed back
    assert await Person.count() == 0


async def test_building_of_another_community_is_refused(client):
    street = await builders.street(await builders.district())
    mine, other = await builders.community(street), await builders.community(street)
    elsewhere = await places.create_building(other.id, "9号楼")
    response = await post_form(
        client,
        "/signup",
        {
            "phone": "13812345678",
            "name": "王秀兰",
            "password": PASSWORD,
            "community": mine.slug,
            "building": str(elsewhere),
        },
    )
    assert response.status_code == 422
    assert "这个楼门不属于所选社区" in response.text


async def test_sign_up_with_a_taken_number_answers_the_same_and_changes_nothing(client):
    c = await builders.community()
    person_id, phone = await builders.person(name="原主人")
    before = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    fresh = await post_form(
        client,
        "/signup",
        {"phone": "13912345678", "name": "新人", "password": PASSWORD, "community": c.slug},
    )
    taken = await post_form(
        client,
        "/signup",
        {"phone": phone, "name": "冒名者", "password": "another pass", "community": c.slug},
    )
    assert (taken.status_code, taken.headers["location"]) == (
        fresh.status_code,
        fresh.headers["location"],
    )
    after = (
        await Person.select(Person.name, Person.password_hash).where(Person.id == person_id).first()
    )
    assert after == {"name": "原主人", "password_hash": before["password_hash"]}


async def test_wrong_password_gives_one_message_for_every_failure(client):
    _, phone = await builders.person()
    wrong = await post_form(client, "/login", {"phone": phone, "password": "not it at all"})
    unknown = await post_form(client, "/login", {"phone": "13311112222", "password": "whatever1"})
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "手机号或密码不对" in response.text
    assert f'value="{phone}"' in wrong.text
    assert "session" not in wrong.cookies


async def test_sign_in_returns_to_the_page_asked_for(client):
    c = await builders.community()
    _, phone = await builders.person((Role.COMMUNITY_STAFF, c.id))
    gate = await client.get(f"/staff/c/{c.slug}/")
    assert gate.status_code == 303
    assert gate.headers["location"] == f"/login?next=/staff/c/{c.slug}/"
    response = await post_form(
        client,
        "/login",
        {"phone": phone, "password": PASSWORD, "next": f"/staff/c/{c.slug}/"},
    )
    assert response.headers["location"] == f"/staff/c/{c.slug}/"


async def test_sign_in_never_sends_people_to_another_site(client):
    _, phone = await builders.person()
    response = await post_form(
        client, "/login", {"phone": phone, "password": PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/me"


async def test_sign_in_is_throttled_after_five_failures(client):
    _, phone = await builders.person()
    for _ in range(5):
        response = await post_form(client, "/login", {"phone": phone, "password": "wrong pass"})
        assert response.status_code == 422
    blocked = await post_form(client, "/login", {"phone": phone, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "登录失败次数太多" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    assert (await client.get("/me")).status_code == 303  # still signed out


async def test_sign_out_forgets_the_session(client):
    _, phone = await builders.person(name="赵海燕")
    await sign_in(client, phone)
    assert "赵海燕" in (await client.get("/me")).text
    response = await post_form(client, "/logout", {})
    assert response.status_code == 303
    assert (await client.get("/me")).status_code == 303


async def test_password_hash_is_renewed_when_parameters_change(client):
    from argon2 import PasswordHasher

    person_id, phone = await builders.person()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    await Person.update({Person.password_hash: weak}).where(Person.id == person_id)
    await sign_in(client, phone)
    renewed = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    assert renewed["password_hash"] != weak
    assert not needs_rehash(renewed["password_hash"])


async def test_elder_mode_is_remembered_without_javascript(client):
    await builders.community()
    response = await post_form(client, "/prefs/elder", {"elder": "1", "next": "/"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = await client.get("/")
    assert '<html lang="zh-CN" class="elder">' in page.text
    assert "关闭长辈模式" in page.text
    await post_form(client, "/prefs/elder", {"elder": "0", "next": "/"})
    assert 'class="elder"' not in (await client.get("/")).text


async def test_a_flood_of_sign_ups_from_one_address_is_stopped(client):
    c = await builders.community()
    for n in range(10):
        response = await post_form(
            client,
            "/signup",
            {"phone": f"1381234{n:04d}", "name": "居民", "password": PASSWORD, "community": c.slug},
        )
        assert response.status_code == 303
    refused = await post_form(
        client,
        "/signup",
        {"phone": "13899990000", "name": "居民", "password": PASSWORD, "community": c.slug},
    )
    assert refused.status_code == 429
    assert "操作太频繁" in refused.text
    assert await Person.count() == 10
