"""The site as it runs in production: several workers, backups, the command line."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import asyncpg
import httpx

from civic.accounts.tables import Person
from civic.piccolo_conf import APP_REGISTRY
from tests import builders
from tests.conftest import ON_POSTGRES
from tests.processes import civic, serving

TABLES = sorted(
    [t._meta.tablename for app in APP_REGISTRY.app_configs.values() for t in app.table_classes]
)


async def test_signed_in_through_one_worker_recognised_by_another_and_any_change_at_once():
    person_id, phone = await builders.person(name="周建国")
    with serving() as first, serving() as second:
        with httpx.Client(base_url=first) as browser:
            browser.get("/login")
            response = browser.post(
                "/login",
                data={
                    "phone": phone,
                    "password": builders.PASSWORD,
                    "_csrf_token": browser.cookies["csrftoken"],
                },
            )
            assert response.status_code == 303
            cookies = browser.cookies
        me = httpx.get(f"{second}/me", cookies=cookies)
        assert me.status_code == 200
        assert "周建国" in me.text
        # The second worker keeps the session and the person while nothing changes
        # (civic/kept.py): a change written anywhere else shows on its very next page.
        await Person.update({Person.name: "周建华"}).where(Person.id == person_id)
        assert "周建华" in httpx.get(f"{second}/me", cookies=cookies).text
        with httpx.Client(base_url=first, cookies=cookies) as browser:
            token = browser.cookies["csrftoken"]
            assert browser.post("/logout", data={"_csrf_token": token}).status_code == 303
        away = httpx.get(f"{second}/me", cookies=cookies)
        assert away.status_code == 303 and away.headers["location"].startswith("/login")


async def _rows(url: str) -> dict[str, list[tuple]]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY id').fetchall() for t in TABLES}  # noqa: S608
    connection = await asyncpg.connect(url)
    try:
        return {
            t: [tuple(r) for r in await connection.fetch(f'SELECT * FROM "{t}" ORDER BY id')]  # noqa: S608
            for t in TABLES
        }
    finally:
        await connection.close()


async def _empty_database(tmp_path: Path) -> str:
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    # Named after the test's own database: each pytest-xdist worker has one.
    source = os.environ["CIVIC_DATABASE_URL"]
    name = source.rsplit("/", 1)[1] + "_restored"
    admin = await asyncpg.connect(os.environ["CIVIC_TEST_PG_ADMIN_URL"])
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return source.rsplit("/", 1)[0] + f"/{name}"


async def test_backup_then_restore_into_an_empty_database_gives_the_same_rows(tmp_path):
    from civic.accounts.roles import Role

    c = await builders.community(name="杏花社区")
    await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    source = os.environ["CIVIC_DATABASE_URL"]
    backup = tmp_path / "civic.backup"
    assert "已备份" in civic("backup", str(backup)).stdout
    assert backup.stat().st_size > 0

    target = await _empty_database(tmp_path)
    civic("restore", str(backup), env={"CIVIC_DATABASE_URL": target})

    before, after = await _rows(source), await _rows(target)
    assert before["person"] and before["membership"] and before["community"]
    assert after == before


def test_every_command_explains_itself():
    for command in ("serve", "migrate", "demo", "sweep", "backup", "restore", "fonts"):
        assert "usage: civic" in civic(command, "--help").stdout
    assert "--phone" in civic("user", "add", "--help").stdout


async def test_demo_district_loads_once_however_often_it_runs():
    from civic import demo
    from civic.accounts.tables import Membership, Person
    from civic.places.tables import Building, Community
    from civic.wishes.tables import Helper, Wish, WishEvent

    tables = (Community, Building, Person, Membership, Helper, Wish, WishEvent)
    await demo.load()
    counts = [await t.count() for t in tables]
    await demo.load()
    assert [await t.count() for t in tables] == counts
    assert counts[0] == 4 and counts[2] > len(demo.ACCOUNTS)
    for community in await Community.select(Community.id):
        assert await Wish.count().where(Wish.community == community["id"]) == 30


async def test_user_add_from_the_shell_gives_a_role_that_signs_in():
    c = await builders.community(slug="xinghua")
    out = civic(
        "user",
        "add",
        "--phone",
        "13700001111",
        "--name",
        "陈静",
        "--password",
        "a long pass",
        "--role",
        "community_staff",
        "--place",
        "xinghua",
    ).stdout
    assert "社区工作者" in out
    from civic.accounts import service

    person_id = await service.authenticate("13700001111", "a long pass")
    assert person_id is not None
    roles = (await service.memberships([person_id]))[person_id]
    assert [(m.role.value, m.scope_id) for m in roles] == [("community_staff", c.id)]
