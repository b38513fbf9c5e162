"""户: keys and areas, the CSV import, choosing and confirming a home, one head per home."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from civic import demo
from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import Viewer, load_viewer
from civic.errors import Invalid, NotAllowed, NotFound
from civic.messages.tables import Message
from civic.places import households
from civic.places import service as places
from civic.places.tables import Building, Household
from tests import builders

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


async def viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


# Keys and areas ---------------------------------------------------------------------------


def test_a_door_number_is_one_key_however_it_is_typed():
    expected = "7:3号楼2单元501"
    assert households.key_of(7, "3号楼2单元501") == expected
    assert households.key_of(7, " 3号楼 2单元　501 ") == expected  # spaces, an ideographic one
    assert households.key_of(7, "３号楼２单元５０１") == expected  # full-width digits
    assert households.key_of(7, "3号楼\u200b2单元501") == expected  # a zero-width space
    assert households.key_of(7, "A座1201") == households.key_of(7, "ａ座１２０１")
    assert households.key_of(8, "3号楼2单元501") != expected


@pytest.mark.parametrize(
    ("typed", "dm2"),
    [("86.5", 8650), ("86", 8600), ("８６．５", 8650), ("86.5㎡", 8650), ("120.25平方米", 12025)],
)
def test_an_area_typed_in_square_metres_is_kept_in_square_decimetres(typed, dm2):
    assert households.parse_area(typed) == (dm2, "")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "没有填面积。"),
        ("abc", "面积“abc”不是数字，请写成 86.5 这样。"),
        ("nan", "面积“nan”不是数字，请写成 86.5 这样。"),
        ("0", "面积要大于 0。"),
        ("-40", "面积要大于 0。"),
        ("86.555", "面积最多保留两位小数。"),
        ("8650", "面积 8650 平方米不像一户住房（应在 5 到 1000 之间），请核对。"),
        ("2", "面积 2 平方米不像一户住房（应在 5 到 1000 之间），请核对。"),
    ],
)
def test_an_area_that_is_no_area_is_refused_with_the_reason(typed, reason):
    assert households.parse_area(typed) == (None, reason)


def test_areas_print_as_square_metres():
    assert [households.area_m2(n) for n in (8650, 8600, 12025, 4505)] == [
        "86.5",
        "86",
        "120.25",
        "45.05",
    ]


# The CSV ----------------------------------------------------------------------------------


def test_the_csv_preview_lists_good_rows_and_each_bad_row_with_its_line_and_reason():
    text = (
        "\ufeff门牌号,面积\n"  # a header, and the byte order mark Excel writes
        "3号楼1单元101,86.5\n"
        "3号楼1单元102，72\n"  # a full-width comma
        "\n"
        ",60\n"
        "3号楼1单元201,abc\n"
        "3号楼1单元202,0\n"
        "3号楼 1单元101,90\n"  # the same door as line 2, with a space
        "3号楼1单元301\t100.25\t朝南\n"  # a tab, and a third column
        "3号楼1单元302,5000\n"
        "3号楼1单元401\n"
    )
    preview = households.parse_csv(text)
    assert [(r.line, r.door, r.area_dm2) for r in preview.rows] == [
        (2, "3号楼1单元101", 8650),
        (3, "3号楼1单元102", 7200),
        (9, "3号楼1单元301", 10025),
    ]
    assert [(b.line, b.reason) for b in preview.bad] == [
        (5, "门牌号是空的。"),
        (6, "面积“abc”不是数字，请写成 86.5 这样。"),
        (7, "面积要大于 0。"),
        (8, "门牌号和第 2 行重复。"),
        (10, "面积 5000 平方米不像一户住房（应在 5 到 1000 之间），请核对。"),
        (11, "没有填面积。"),
    ]
    assert preview.bad[2].text == "3号楼1单元202,0"


def test_a_door_too_long_for_its_column_is_a_bad_row():
    preview = households.parse_csv("字" * 31 + ",80\n")
    assert preview.rows == []
    assert [(b.line, b.reason) for b in preview.bad] == [(1, "最多 30 个字，现在是 31 个字。")]


async def _place(phone: str = "010-6351-2201"):
    community = await builders.community(office_phone=phone)
    building = await places.create_building(community.id, "3号楼")
    return community, building


async def test_import_skips_dwellings_the_building_has_and_importing_twice_adds_nothing():
    community, building = await _place()
    await households.add_dwelling(community.id, building, "3号楼1单元101", "86.5")
    text = "3号楼1单元101,86.5\n3号楼1单元102,72\n3号楼1单元201,60.5\n"

    preview = await households.preview_import(community.id, building, text)
    assert [r.door for r in preview.rows] == ["3号楼1单元102", "3号楼1单元201"]
    assert [(b.line, b.reason) for b in preview.bad] == [(1, "这个门牌已经登记过了。")]
    assert preview.existing == 1
    # Entered by hand between the preview and the import: skipped and reported.
    await households.add_dwelling(community.id, building, "3号楼 1单元201", "60.5")
    done = await households.import_rows(building, preview)
    assert (done.added, done.skipped) == (1, ["3号楼1单元201"])

    again = await households.preview_import(community.id, building, text)
    assert again.rows == [] and again.existing == 3
    assert await households.import_rows(building, again) == households.Imported(0, [])
    rows = await Household.select(Household.door, Household.area_dm2).order_by(Household.id)
    assert rows == [
        {"door": "3号楼1单元101", "area_dm2": 8650},
        {"door": "3号楼 1单元201", "area_dm2": 6050},
        {"door": "3号楼1单元102", "area_dm2": 7200},
    ]


async def test_a_dwelling_is_added_and_edited_once_per_door():
    community, building = await _place()
    first = await households.add_dwelling(community.id, building, "3号楼1单元101", "86.5")
    second = await households.add_dwelling(community.id, building, "3号楼1单元102", "70")
    with pytest.raises(Invalid) as refused:
        await households.add_dwelling(community.id, building, "３号楼１单元１０１", "80")
    assert refused.value.errors == {"door": "这个门牌已经登记过了。"}
    with pytest.raises(Invalid) as refused:
        await households.add_dwelling(community.id, building, "", "-1")
    assert refused.value.errors == {"door": "门牌号是空的。", "area": "面积要大于 0。"}
    with pytest.raises(Invalid):
        await households.edit_dwelling(community.id, second, "3号楼1单元101", "70")
    await households.edit_dwelling(community.id, first, "3号楼1单元103", "88.25")
    [row] = await Household.select(Household.door, Household.area_dm2, Household.key).where(
        Household.id == first
    )
    assert row == {"door": "3号楼1单元103", "area_dm2": 8825, "key": f"{building}:3号楼1单元103"}
    other = await builders.community()
    with pytest.raises(NotFound):
        await households.edit_dwelling(other.id, first, "3号楼1单元104", "80")


# Residents --------------------------------------------------------------------------------


async def test_a_resident_chooses_a_home_of_their_community_and_waits_for_confirmation():
    community, building = await _place()
    home = await households.add_dwelling(community.id, building, "3号楼2单元501", "86.5")
    staff, _p = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    resident, _p = await builders.person((Role.RESIDENT, community.id), name="李桂芳")

    with pytest.raises(Invalid) as refused:
        await households.choose_home(resident, building, "3号楼2单元502", NOW)
    assert refused.value.errors == {
        "door": "这栋楼还没有登记门牌“3号楼2单元502”。请核对门牌号，或到社区居委会登记"
        "（电话 010-6351-2201）。"
    }
    # Typed without the building's name in front, and with full-width digits: found.
    assert await households.choose_home(resident, building, "2单元５０１", NOW) == home
    [row] = await Person.select(
        Person.household, Person.building, Person.household_confirmed_at, Person.household_head
    ).where(Person.id == resident)
    assert row == {
        "household": home,
        "building": building,
        "household_confirmed_at": None,
        "household_head": False,
    }
    seen = await viewer(resident)
    assert seen.home is not None and not seen.home.confirmed and seen.home.door == "3号楼2单元501"
    messages = await Message.select(Message.person, Message.text, Message.link)
    assert messages == [
        {
            "person": staff,
            "text": "李桂芳 说自己住在 3号楼2单元501，请核实后确认。",
            "link": f"/staff/c/{community.slug}/households/?building={building}",
        }
    ]

    other, _b = await _place()
    elsewhere = await Building.select(Building.id).where(Building.community == other.id).first()
    with pytest.raises(Invalid) as refused:
        await households.choose_home(resident, elsewhere["id"], "3号楼2单元501", NOW)
    assert refused.value.errors == {"building": "请选择您所在社区的楼门。"}


async def _home_with(*names: str):
    """A community, its 3号楼 with one dwelling, its staff, its building leader living in 3号楼,
    and residents of that dwelling who chose it."""
    community, building = await _place()
    home = await households.add_dwelling(community.id, building, "3号楼2单元501", "86.5")
    staff, _p = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    leader, _p = await builders.person((Role.BUILDING_LEADER, community.id), name="孙德胜")
    leader_home = await households.add_dwelling(community.id, building, "3号楼1单元101", "60")
    await households.settle(leader, leader_home, confirmed_by=staff, now=NOW, head=True)
    people = []
    for name in names:
        person, _p = await builders.person((Role.RESIDENT, community.id), name=name)
        await households.choose_home(person, building, "3号楼2单元501", NOW)
        people.append(person)
    return community, building, home, staff, leader, people


async def test_who_may_confirm_a_home():
    community, building, home, staff, leader, [resident, neighbour] = await _home_with(
        "李桂芳", "张福林"
    )
    other_building = await places.create_building(community.id, "4号楼")
    far_leader, _p = await builders.person((Role.BUILDING_LEADER, community.id), name="赵四")
    far_home = await households.add_dwelling(community.id, other_building, "4号楼101", "60")
    await households.settle(far_leader, far_home, confirmed_by=staff, now=NOW, head=True)
    other = await builders.community()
    other_staff, _p = await builders.person((Role.COMMUNITY_STAFF, other.id), name="陈静")
    other_leader, _p = await builders.person((Role.BUILDING_LEADER, other.id), name="周五")
    await Person.update({Person.building: building}).where(Person.id == other_leader)
    admin, _p = await builders.person((Role.DISTRICT_ADMIN, 0), name="区管理员")

    for refused_id in (neighbour, far_leader, other_staff, other_leader, admin):
        with pytest.raises(NotAllowed):
            await households.confirm(await viewer(refused_id), resident, home, NOW)
    await Person.update({Person.household_confirmed_at: NOW}).where(Person.id == neighbour)
    with pytest.raises(NotAllowed):  # a confirmed neighbour is no more a confirmer
        await households.confirm(await viewer(neighbour), resident, home, NOW)
    assert (await viewer(resident)).home.confirmed is False  # type: ignore[union-attr]

    await households.confirm(await viewer(leader), resident, home, NOW)
    seen = await viewer(resident)
    assert seen.home is not None and seen.home.confirmed
    [row] = await Person.select(Person.household_confirmed_by).where(Person.id == resident)
    assert row["household_confirmed_by"] == leader
    told = await Message.select(Message.text).where(Message.person == resident)
    assert told == [{"text": "社区已确认您住在 3号楼2单元501，您可以代表这一户参加议事表决了。"}]


async def test_nobody_confirms_their_own_home_not_even_staff():
    community, building = await _place()
    home = await households.add_dwelling(community.id, building, "3号楼2单元501", "86.5")
    staff, _p = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    await households.choose_home(staff, building, "3号楼2单元501", NOW)
    with pytest.raises(NotAllowed) as refused:
        await households.confirm(await viewer(staff), staff, home, NOW)
    assert refused.value.message == "不能确认自己的住户，请另一位工作人员确认。"
    assert (await viewer(staff)).home.confirmed is False  # type: ignore[union-attr]


async def test_the_first_confirmed_resident_becomes_head_and_staff_name_another():
    _c, _b, home, staff, _leader, [first, second] = await _home_with("李桂芳", "张福林")
    by_staff = await viewer(staff)
    with pytest.raises(Invalid):  # not confirmed yet
        await households.make_head(by_staff, second, home)
    await households.confirm(by_staff, first, home, NOW)
    await households.confirm(by_staff, second, home, NOW)
    heads = await Person.select(Person.id).where(
        (Person.household == home) & (Person.household_head == True)  # noqa: E712
    )
    assert heads == [{"id": first}]
    await households.make_head(by_staff, second, home)
    heads = await Person.select(Person.id).where(
        (Person.household == home) & (Person.household_head == True)  # noqa: E712
    )
    assert heads == [{"id": second}]
    # 不是这户: the link goes, the person is told, and the home keeps a head.
    await households.unconfirm(by_staff, second, home, NOW)
    assert (await viewer(second)).home is None
    assert (await viewer(first)).home.is_head  # type: ignore[union-attr]
    told = await Message.select(Message.text).where(Message.person == second)
    assert told[-1] == {
        "text": "社区核对后，您不是 3号楼2单元501 的住户。"
        "如有误会，请在“我的”里重新选择或联系社区。"
    }
    # Choosing again starts over, unconfirmed and not head.
    await households.choose_home(second, _b, "3号楼2单元501", NOW)
    seen = await viewer(second)
    assert seen.home is not None and not seen.home.confirmed and not seen.home.is_head
    await households.leave_home(first)
    assert (await viewer(first)).home is None


async def test_thirty_concurrent_head_changes_leave_exactly_one_head():
    names = ["李桂芳", "张福林", "马玉珍", "郑小雨", "黄志远", "林晓梅"]
    _c, _b, home, staff, _leader, people = await _home_with(*names)
    by_staff = await viewer(staff)
    # Confirmed at once: the home had no head, so exactly one of them becomes it.
    await asyncio.gather(*(households.confirm(by_staff, p, home, NOW) for p in people))
    heads = await Person.count().where(
        (Person.household == home) & (Person.household_head == True)  # noqa: E712
    )
    assert heads == 1
    await asyncio.gather(
        *(households.make_head(by_staff, people[i % len(people)], home) for i in range(30))
    )
    rows = await Person.select(Person.id).where(
        (Person.household == home) & (Person.household_head == True)  # noqa: E712
    )
    assert len(rows) == 1 and rows[0]["id"] in people
    confirmed = await Person.count().where(
        (Person.household == home) & Person.household_confirmed_at.is_not_null()
    )
    assert confirmed == 6


async def test_staff_see_names_and_phones_others_masked_names():
    _c, building, _h, staff, leader, _r = await _home_with("李桂芳")
    for_staff = await households.dwellings(building, await viewer(staff))
    for_leader = await households.dwellings(building, await viewer(leader))
    for_nobody = await households.dwellings(building)
    assert [d.door for d in for_staff] == ["3号楼1单元101", "3号楼2单元501"]
    [staff_view] = for_staff[1].residents
    assert (staff_view.name, staff_view.phone[:3], staff_view.state_label) == (
        "李桂芳",
        "137",
        "待社区确认",
    )
    assert (for_leader[1].residents[0].name, for_leader[1].residents[0].phone) == ("李桂芳", "")
    assert (for_nobody[1].residents[0].name, for_nobody[0].residents[0].name) == ("李**", "孙**")
    assert for_nobody[0].residents[0].state_label == "户长"


# The demo ---------------------------------------------------------------------------------


async def test_the_demo_gives_every_building_dwellings_and_its_residents_homes_once():
    await demo.load_places()
    await demo.load_accounts()
    await demo.load_households()
    await demo.load_households()
    buildings = await Building.select(Building.id)
    counts = {b["id"]: 0 for b in buildings}
    rows = await Household.select(Household.building, Household.area_dm2, Household.door)
    for r in rows:
        counts[r["building"]] += 1
        assert 4500 <= r["area_dm2"] <= 12000
    assert len(buildings) == 48
    assert all(12 <= n <= 24 for n in counts.values()), counts
    assert any(r["door"] == "3号楼1单元101" for r in rows)
    leader = await viewer(await demo.accounts.person_id_by_phone("13900000022"))  # type: ignore[arg-type]
    assert leader.home is not None and leader.home.confirmed and leader.home.is_head
    assert leader.building_id == leader.home.building_id
    waiting = await viewer(await demo.accounts.person_id_by_phone("13900000041"))  # type: ignore[arg-type]
    assert waiting.home is not None and not waiting.home.confirmed
    assert waiting.home.building_id == leader.building_id  # the leader may confirm him

    # The hall's demo houses more people; twice changes nothing.
    community_id = leader.home.community_id
    extra = [(await builders.person((Role.RESIDENT, community_id)))[0] for _ in range(3)]
    building = leader.home.building_id
    placed = await demo.house_people(building, extra)
    assert await demo.house_people(building, extra) == placed
    homes = await demo.building_households(building)
    housed = {r.id: d.id for d in homes for r in d.residents}
    assert all(housed[p] == placed[p] for p in extra)
    assert all(sum(r.is_head for r in d.residents) <= 1 for d in homes)
