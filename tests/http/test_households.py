"""户 through the pages: staff import a building's dwellings from a CSV, a resident picks
their home on /me, staff or the building leader confirm it; nobody else can."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import load_viewer
from civic.messages.tables import Message
from civic.places import households
from civic.places import service as places
from civic.places.tables import Household
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
CSV = (
    "门牌号,面积\n3号楼1单元101,86.5\n3号楼1单元102,72\n,60\n3号楼1单元201,八十\n3号楼1单元101,90\n"
)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"the page carries {name}"
    return html.unescape(found.group(1))


async def _community():
    community = await builders.community(office_phone="010-6351-2201")
    building = await places.create_building(community.id, "3号楼")
    staff, staff_phone = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    return community, building, staff, staff_phone


async def test_staff_preview_a_csv_see_its_bad_rows_and_import_it_once(client):
    community, building, _staff, phone = await _community()
    await sign_in(client, phone)
    base = f"/staff/c/{community.slug}/households/"
    page = await client.get(f"{base}import?building={building}")
    assert page.status_code == 200
    assert "从表格导入住户" in page.text

    preview = await post_form(client, f"{base}import", {"building": str(building), "csv": CSV})
    assert preview.status_code == 200
    seen = text_of(preview.text)
    assert "3号楼 · 可以导入 2 户" in seen
    assert "3号楼1单元101 86.5 平方米" in seen and "3号楼1单元102 72 平方米" in seen
    assert "有问题的行（3）" in seen
    assert "第 4 行 ,60 门牌号是空的。" in seen
    assert "第 5 行 3号楼1单元201,八十 面积“八十”不是数字，请写成 86.5 这样。" in seen
    assert "第 6 行 3号楼1单元101,90 门牌号和第 2 行重复。" in seen
    assert await Household.count() == 0  # a preview writes nothing

    data = {
        "building": str(building),
        "rows": _hidden(preview.text, "rows"),
        "_once": _hidden(preview.text, "_once"),
    }
    token = await builders.csrf_token(client)
    answers = await asyncio.gather(
        *(
            client.post(f"{base}import/confirm", data={**data, "_csrf_token": token})
            for _ in range(5)
        )
    )
    where = f"{base}?building={building}&imported=2&skipped=0"
    assert {a.status_code for a in answers} == {303}
    assert {a.headers["location"] for a in answers} == {where}
    rows = await Household.select(Household.door, Household.area_dm2).order_by(Household.id)
    assert rows == [
        {"door": "3号楼1单元101", "area_dm2": 8650},
        {"door": "3号楼1单元102", "area_dm2": 7200},
    ]
    listing = text_of((await client.get(where)).text)
    assert "导入了 2 户。" in listing
    assert "3号楼1单元101 86.5 平方米" in listing

    # The same file again, uploaded as Excel saves it (GB18030): everything is there already.
    upload = CSV.encode("gb18030")
    again = await client.post(
        f"{base}import",
        data={"building": str(building), "_csrf_token": token},
        files={"file": ("住户.csv", upload, "text/csv")},
    )
    assert again.status_code == 422
    seen = text_of(again.text)
    assert "可以导入 0 户" in seen
    assert "第 2 行 3号楼1单元101,86.5 这个门牌已经登记过了。" in seen
    assert await Household.count() == 2


async def test_staff_add_and_edit_a_dwelling(client):
    community, building, _staff, phone = await _community()
    await sign_in(client, phone)
    base = f"/staff/c/{community.slug}/households/"
    form = await client.get(f"{base}new?building={building}")
    key = _hidden(form.text, "_once")
    made = await post_form(
        client,
        f"{base}new",
        {"building": str(building), "door": "3号楼2单元501", "area": "８６．５", "_once": key},
    )
    assert made.status_code == 303
    [home] = await Household.select(Household.id, Household.area_dm2)
    assert home["area_dm2"] == 8650
    for area, message in (("0", "面积要大于 0。"), ("80", "这个门牌已经登记过了。")):
        refused = await post_form(
            client, f"{base}new", {"building": str(building), "door": "3号楼2单元501", "area": area}
        )
        assert refused.status_code == 422
        assert message in refused.text and 'value="3号楼2单元501"' in refused.text
    edit = await client.get(f"{base}edit?household={home['id']}")
    assert 'value="3号楼2单元501"' in edit.text and 'value="86.5"' in edit.text
    saved = await post_form(
        client,
        f"{base}edit",
        {"household": str(home["id"]), "door": "3号楼2单元502", "area": "90.25"},
    )
    assert saved.status_code == 303
    assert await Household.select(Household.door, Household.area_dm2) == [
        {"door": "3号楼2单元502", "area_dm2": 9025}
    ]


async def test_a_resident_picks_their_home_on_me_and_staff_confirm_it(client):
    community, building, staff, staff_phone = await _community()
    home = await households.add_dwelling(community.id, building, "3号楼2单元501", "86.5")
    resident, phone = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    await sign_in(client, phone)
    me = await client.get("/me")
    assert "我家" in me.text and 'action="/me/home"' in me.text

    wrong = await post_form(client, "/me/home", {"building": str(building), "door": "9单元901"})
    assert wrong.status_code == 422
    assert (
        "这栋楼还没有登记门牌“9单元901”。请核对门牌号，或到社区居委会登记（电话 010-6351-2201）。"
        in (text_of(wrong.text))
    )
    chosen = await post_form(client, "/me/home", {"building": str(building), "door": "2单元501"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/me#home"
    seen = text_of((await client.get("/me")).text)
    assert "3号楼2单元501（3号楼） 状态 待社区确认" in seen

    # The resident cannot confirm their own home.
    base = f"/staff/c/{community.slug}/households/"
    decision = {"person": str(resident), "household": str(home), "decision": "confirm"}
    assert (await post_form(client, f"{base}residents", decision)).status_code == 403
    assert (await client.get(base)).status_code == 403

    # Staff are told, see who waits, and confirm.
    assert await Message.select(Message.person) == [{"person": staff}]
    await sign_in(client, staff_phone)
    listing = text_of((await client.get(base)).text)
    assert (
        "等待确认（1）" in listing and "李桂芳" in listing and "说自己住在 3号楼2单元501" in listing
    )
    done = await post_form(client, f"{base}residents", decision)
    assert done.status_code == 303
    assert done.headers["location"] == f"{base}?building={building}#h-{home}"
    viewer = await load_viewer(resident)
    assert viewer is not None and viewer.home is not None
    assert (viewer.home.id, viewer.home.confirmed, viewer.home.is_head) == (home, True, True)
    assert "等待确认（0）" in text_of((await client.get(base)).text)

    await sign_in(client, phone)
    seen = text_of((await client.get("/me")).text)
    assert "状态 已确认 户长" in seen
    left = await post_form(client, "/me/home/leave", {})
    assert left.status_code == 303
    assert (await load_viewer(resident)).home is None  # type: ignore[union-attr]


async def test_the_building_leader_confirms_in_their_building_only(client):
    community, building, staff, _p = await _community()
    other_building = await places.create_building(community.id, "4号楼")
    mine = await households.add_dwelling(community.id, building, "3号楼1单元101", "60")
    theirs = await households.add_dwelling(community.id, other_building, "4号楼101", "60")
    leader, leader_phone = await builders.person(
        (Role.BUILDING_LEADER, community.id), name="孙德胜"
    )
    await households.settle(leader, mine, confirmed_by=staff, now=NOW, head=True)
    near, _p = await builders.person((Role.RESIDENT, community.id), name="张福林")
    far, _p = await builders.person((Role.RESIDENT, community.id), name="马玉珍")
    await households.choose_home(near, building, "3号楼1单元101", NOW)
    await households.choose_home(far, other_building, "4号楼101", NOW)

    await sign_in(client, leader_phone)
    base = f"/staff/c/{community.slug}/households/"
    listing = text_of((await client.get(base)).text)
    assert "等待确认（1）" in listing and "张福林" in listing and "马玉珍" not in listing
    assert "从表格导入" not in listing  # dwellings are the staff's to enter
    assert (await client.get(f"{base}import")).status_code == 403
    refused = await post_form(
        client,
        f"{base}residents",
        {"person": str(far), "household": str(theirs), "decision": "confirm"},
    )
    assert refused.status_code == 403
    ok = await post_form(
        client,
        f"{base}residents",
        {"person": str(near), "household": str(mine), "decision": "confirm"},
    )
    assert ok.status_code == 303
    rows = await Person.select(Person.id).where(Person.household_confirmed_at.is_not_null())
    assert sorted(r["id"] for r in rows) == sorted([leader, near])


async def test_another_communitys_staff_neither_see_nor_confirm(client):
    community, building, _staff, _p = await _community()
    home = await households.add_dwelling(community.id, building, "3号楼2单元501", "86.5")
    resident, _p = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    await households.choose_home(resident, building, "3号楼2单元501", NOW)
    other = await builders.community()
    _o, other_phone = await builders.person((Role.COMMUNITY_STAFF, other.id), name="陈静")
    await sign_in(client, other_phone)
    base = f"/staff/c/{community.slug}/households/"
    page = await client.get(base)
    assert page.status_code == 403 and "李桂芳" not in page.text
    for decision in ("confirm", "head", "reject"):
        answer = await post_form(
            client,
            f"{base}residents",
            {"person": str(resident), "household": str(home), "decision": decision},
        )
        assert answer.status_code == 403
    # Through their own community's address: the home is not theirs to find.
    own = f"/staff/c/{other.slug}/households/residents"
    answer = await post_form(
        client, own, {"person": str(resident), "household": str(home), "decision": "confirm"}
    )
    assert answer.status_code == 404
    assert (
        await client.get(f"/staff/c/{other.slug}/households/edit?household={home}")
    ).status_code == 404
    viewer = await load_viewer(resident)
    assert viewer is not None and viewer.home is not None and not viewer.home.confirmed


async def test_sign_up_with_a_home_waits_for_confirmation(client):
    community, building, staff, _p = await _community()
    home = await households.add_dwelling(community.id, building, "3号楼2单元501", "86.5")
    form = {
        "phone": "13812345678",
        "name": "郑小雨",
        "password": "correct horse 8",
        "community": community.slug,
        "building": str(building),
    }
    refused = await post_form(client, "/signup", {**form, "door": "3号楼9单元901"})
    assert refused.status_code == 422
    assert "这栋楼还没有登记这个门牌。" in refused.text
    assert await Person.count() == 1
    made = await post_form(client, "/signup", {**form, "door": "3号楼2单元501"})
    assert made.status_code == 303
    row = await Person.select(Person.household, Person.household_confirmed_at).where(
        Person.phone == "13812345678"
    )
    assert row == [{"household": home, "household_confirmed_at": None}]
    assert await Message.select(Message.person) == [{"person": staff}]
