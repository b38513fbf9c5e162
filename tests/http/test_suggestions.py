"""意见箱 through the pages: filing, the code, privacy, staff queues, rating, abuse, weight."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.places import service as places
from civic.suggestions import service
from civic.suggestions.tables import Case, CaseEvent
from civic.suggestions.workflow import S, Verb
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime.now(UTC)
SECRET = "隔壁502装修噪音，业主王建军电话13911112222"


@pytest.fixture
async def place():
    district = await builders.district()
    street = await builders.street(district, slug="xinjiekou", name="新街口街道")
    c = await builders.community(street, name="杏花社区")
    other = await builders.community(street, name="桃园社区")
    return c, other, street


async def _file(client, c, **fields):
    data = {"category": "环境卫生", "text": "北门垃圾桶满了三天没人清", "public": "1"}
    data.update(fields)
    return await post_form(client, f"/c/{c.slug}/suggestions/new", data)


def _code(response) -> str:
    match = re.fullmatch(r"/s/([A-Z2-9]{8})\?filed=1", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


async def test_anyone_files_a_case_and_gets_a_code_and_a_receipt(client, place, tmp_path):
    c = place[0]
    board = await client.get(f"/c/{c.slug}/suggestions/")
    assert "还没有公开的意见" in board.text
    home = await client.get(f"/c/{c.slug}/")
    assert f'href="/c/{c.slug}/suggestions/"' in home.text

    response = await _file(client, c, name="赵大爷", phone="139 0000 1234")
    code = _code(response)
    page = await client.get(response.headers["location"])
    shown = f"{code[:4]}-{code[4:]}"
    assert "已经收到" in page.text and shown in page.text
    assert "回应还剩 12 小时" in text_of(page.text)
    receipt = await client.get(f"/s/{code}/receipt.pdf")
    assert receipt.headers["content-type"] == "application/pdf"
    (tmp_path / "r.pdf").write_bytes(receipt.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert shown in text.replace(" ", "") and "杏花社区" in text

    board = await client.get(f"/c/{c.slug}/suggestions/")
    assert "北门垃圾桶满了三天没人清" in board.text and "赵**" in board.text
    assert "赵大爷" not in board.text and "1234" not in board.text
    # Typed with dashes and in lower case, the code still finds the case.
    found = await client.get("/s/", params={"code": shown.lower()})
    assert found.status_code == 303 and found.headers["location"] == f"/s/{code}"


async def test_bad_input_is_refused_in_chinese_and_keeps_what_was_typed(client, place):
    c = place[0]
    empty = await _file(client, c, text="  ", place="北门")
    assert empty.status_code == 422
    assert "请写下您要反映的事情" in empty.text and 'value="北门"' in empty.text
    long_text = "噪音" * 501
    too_long = await _file(client, c, text=long_text)
    assert too_long.status_code == 422
    assert "最多 1000 个字" in too_long.text and long_text in too_long.text
    bad_phone = await _file(client, c, phone="12345")
    assert bad_phone.status_code == 422 and "北门垃圾桶满了三天没人清" in bad_phone.text
    assert await Case.count() == 0
    no_token = await client.post(
        f"/c/{c.slug}/suggestions/new", data={"category": "其他", "text": "路灯"}
    )
    assert no_token.status_code == 403 and await Case.count() == 0


async def test_a_private_case_is_seen_only_by_its_filer_and_staff(client, place):
    c, other, _street = place
    code = _code(await _file(client, c, text=SECRET, public="0", phone="13900001234"))
    client.cookies.clear()  # another phone

    board = await client.get(f"/c/{c.slug}/suggestions/")
    assert SECRET[:6] not in board.text
    page = await client.get(f"/s/{code}")
    assert page.status_code == 200 and "选择了不公开" in page.text
    assert SECRET[:6] not in page.text and "13900001234" not in page.text

    _, resident = await builders.person((Role.RESIDENT, c.id), name="张福林")
    _, staff_elsewhere = await builders.person((Role.COMMUNITY_STAFF, other.id), name="刘志强")
    for phone in (resident, staff_elsewhere):
        await sign_in(client, phone)
        assert SECRET[:6] not in (await client.get(f"/s/{code}")).text
        await post_form(client, "/logout", {})

    # Nor do the answer and the filer's rating comment, which can repeat what was asked.
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id), name="陈静")
    staff_viewer = await load_viewer(staff_id)
    await service.act(staff_viewer, code, Verb.ACCEPT, NOW)
    await service.act(staff_viewer, code, Verb.REPLY, NOW, note="已约王建军明早协商")
    await service.act(staff_viewer, code, Verb.ANSWER, NOW, note="王建军已同意晚八点后停工")
    stranger_page = await client.get(f"/s/{code}")
    assert "王建军" not in stranger_page.text and "受理" in stranger_page.text

    wrong = await post_form(client, f"/s/{code}/verify", {"last4": "0000"})
    assert wrong.status_code == 422 and "号码不对" in wrong.text and SECRET[:6] not in wrong.text
    right = await post_form(client, f"/s/{code}/verify", {"last4": "1234"})
    assert right.status_code == 303
    assert SECRET in (await client.get(f"/s/{code}")).text

    client.cookies.clear()
    _, staff = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    await sign_in(client, staff)
    page = await client.get(f"/s/{code}")
    assert SECRET in page.text and "13900001234" in page.text


async def test_staff_accept_in_the_queue_and_the_row_updates_in_place(client, place):
    c = place[0]
    code = _code(await _file(client, c))
    client.cookies.clear()
    _, staff = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    await sign_in(client, staff)
    queue = await client.get(f"/staff/c/{c.slug}/suggestions/")
    assert queue.status_code == 200 and f'id="case-{code}"' in queue.text
    assert "待受理" in queue.text and "回应还剩" in queue.text

    row = await post_form(
        client,
        f"/s/{code}/act",
        {"verb": "accept", "next": f"/staff/c/{c.slug}/suggestions/"},
        headers={"HX-Request": "true", "HX-Target": f"case-{code}"},
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith("{#") is False and "<html" not in row.text
    assert f'id="case-{code}"' in row.text and "已受理" in row.text and "开始办理" in row.text
    again = await post_form(
        client, f"/s/{code}/act", {"verb": "accept"}, headers={"HX-Request": "true"}
    )
    assert again.status_code == 409 and "已经是“已受理”" in again.text
    assert await CaseEvent.count().where(CaseEvent.verb == Verb.ACCEPT) == 1

    plain = await post_form(
        client, f"/s/{code}/act", {"verb": "start", "next": f"/staff/c/{c.slug}/suggestions/"}
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/staff/c/{c.slug}/suggestions/"
    escalate = await post_form(client, f"/s/{code}/act", {"verb": "escalate", "note": ""})
    assert escalate.status_code == 400 and "请写上说明" in escalate.text


async def test_queues_are_scoped_to_the_desk(client, place):
    c, _other, street = place
    far_street = await builders.street(await builders.district(), slug="far")
    department = await places.create_department("区城管委", "chengguan")
    _, resident = await builders.person((Role.RESIDENT, c.id))
    _, far_official = await builders.person((Role.STREET_OFFICIAL, far_street))
    _, official = await builders.person((Role.STREET_OFFICIAL, street))
    _, other_department = await builders.person(
        (Role.DEPARTMENT_STAFF, await places.create_department("区住建委", "zhujian"))
    )
    for phone, url in [
        (resident, f"/staff/c/{c.slug}/suggestions/"),
        (far_official, "/staff/street/xinjiekou/suggestions/"),
        (other_department, "/staff/department/chengguan/suggestions/"),
    ]:
        client.cookies.clear()
        await sign_in(client, phone)
        assert (await client.get(url)).status_code == 403, url
    client.cookies.clear()
    await sign_in(client, official)
    page = await client.get("/staff/street/xinjiekou/suggestions/")
    assert page.status_code == 200 and "没有待办的事" in page.text
    assert department


async def test_the_filer_rates_and_unsatisfied_reopens(client, place):
    c = place[0]
    _, phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    await sign_in(client, phone)
    code = _code(await _file(client, c))
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    await service.act(staff, code, Verb.ACCEPT, NOW)
    await service.act(staff, code, Verb.ANSWER, NOW, note="已联系环卫，今天清运。")
    page = await client.get(f"/s/{code}")
    assert "您对办理结果满意吗" in page.text and "已联系环卫" in page.text
    me = await client.get("/me")
    assert "已反馈，请评价办理结果" in me.text

    missing = await post_form(client, f"/s/{code}/rate", {"rating": ""})
    assert missing.status_code == 400 and "请选择满意" in missing.text
    await post_form(client, f"/s/{code}/rate", {"rating": "unsatisfied", "comment": "还没清"})
    row = await Case.select(Case.status, Case.reopened).where(Case.code == code).first()
    assert row == {"status": S.IN_PROGRESS, "reopened": True}


async def test_unknown_codes_answer_alike_and_guessing_is_throttled(client, place):
    for _ in range(20):
        miss = await client.get("/s/", params={"code": "ZZZZ-ZZZZ"})
        assert miss.status_code == 404 and "没有找到这个查询码" in miss.text
    blocked = await client.get("/s/", params={"code": "ZZZZ-ZZZZ"})
    assert blocked.status_code == 429 and "输错太多次" in blocked.text
    assert (await client.get("/s/ZZZZZZZZ")).status_code == 404
    assert (await client.get("/s/not-a-code")).status_code == 404


async def test_a_flood_of_filings_is_throttled_keeping_the_text(client, place):
    c = place[0]
    for n in range(10):
        assert (await _file(client, c, text=f"第{n}件事")).status_code == 303
    flood = await _file(client, c, text="第十一件事")
    assert flood.status_code == 429
    assert "提交得太多了" in flood.text and "第十一件事" in flood.text
    assert await Case.count() == 10


async def test_a_grid_worker_files_for_a_resident(client, place):
    c = place[0]
    _, worker = await builders.person((Role.GRID_WORKER, c.id), name="马丽")
    await sign_in(client, worker)
    form = await client.get(f"/c/{c.slug}/suggestions/new")
    assert "替居民反映" in form.text
    code = _code(await _file(client, c, name="赵大爷", phone="13900001234"))
    row = await Case.select(Case.filer_name, Case.filer).where(Case.code == code).first()
    assert row == {"filer_name": "赵大爷", "filer": None}


# Weight ------------------------------------------------------------------------------------


async def _many_cases(c, n: int, staff) -> None:
    for i in range(n):
        code = await service.file_case(
            None,
            c.id,
            category=list(Case.Category)[i % 8].value,
            text=f"第{i}件：" + "楼道里堆放杂物，影响通行，希望社区协调清理。" * 4,
            now=NOW - timedelta(hours=i),
            name="赵大爷",
        )
        if i % 3 == 0:
            await service.act(staff, code, Verb.ACCEPT, NOW)
        if i % 6 == 0:
            await service.act(staff, code, Verb.ANSWER, NOW, note="已经清理完毕。" * 5)


async def _weigh(client, url: str) -> tuple[int, int]:
    response = await client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200, url
    return response.num_bytes_downloaded, int(response.headers["x-query-count"])


async def test_board_case_and_queue_stay_within_budget(client, place):
    c = place[0]
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id))
    staff = await load_viewer(staff_id)
    await _many_cases(c, 5, staff)
    small_board = await _weigh(client, f"/c/{c.slug}/suggestions/")
    await _many_cases(c, 45, staff)
    board = await _weigh(client, f"/c/{c.slug}/suggestions/")
    assert board[0] <= 20 * 1024 and board[1] <= 8 and board[1] == small_board[1]
    code = (await Case.select(Case.code).first())["code"]
    case = await _weigh(client, f"/s/{code}")
    assert case[0] <= 14 * 1024 and case[1] <= 8
    await sign_in(client, staff_phone)
    queue = await _weigh(client, f"/staff/c/{c.slug}/suggestions/")
    assert queue[0] <= 25 * 1024 and queue[1] <= 8
    staff_case = await _weigh(client, f"/s/{code}")
    assert staff_case[0] <= 14 * 1024 and staff_case[1] <= 8


# Photos ------------------------------------------------------------------------------------


def _jpeg(colour=(120, 90, 60)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


async def _file_with(client, c, files, **fields):
    data = {"category": "设施维修", "text": "单元门的闭门器坏了", "public": "1", **fields}
    data["_csrf_token"] = await builders.csrf_token(client)
    return await client.post(f"/c/{c.slug}/suggestions/new", data=data, files=files)


async def test_a_private_cases_photos_are_for_those_who_may_see_it(client, place):
    c = place[0]
    response = await _file_with(
        client,
        c,
        [
            ("photos", ("a.jpg", _jpeg(), "image/jpeg")),
            ("photos", ("b.jpg", _jpeg(), "image/jpeg")),
        ],
        public="0",
        phone="13900001234",
    )
    code = _code(response)
    mine = await client.get(f"/s/{code}/photos/2")
    assert mine.status_code == 200 and mine.headers["content-type"] == "image/jpeg"
    assert (await client.get(f"/s/{code}/photos/3")).status_code == 404
    client.cookies.clear()
    page = await client.get(f"/s/{code}")
    assert "/photos/" not in page.text
    assert (await client.get(f"/s/{code}/photos/1")).status_code == 404


async def test_photos_that_are_not_photos_or_too_many_are_refused_keeping_the_text(client, place):
    c = place[0]
    fake = await _file_with(client, c, [("photos", ("x.jpg", b"not a photo", "image/jpeg"))])
    assert fake.status_code == 422
    assert "不是一张能打开的照片" in fake.text and "单元门的闭门器坏了" in fake.text
    four = [("photos", (f"{n}.jpg", _jpeg(), "image/jpeg")) for n in range(4)]
    too_many = await _file_with(client, c, four)
    assert too_many.status_code == 422 and "最多选 3 张照片" in too_many.text
    assert await Case.count() == 0
    huge = await _file_with(client, c, [("photos", ("big.jpg", b"0" * (30 << 20), "image/jpeg"))])
    assert huge.status_code == 413
    assert await Case.count() == 0


async def test_each_desk_sees_its_step_on_the_case_page(client, place):
    c, _other, street = place
    code = _code(await _file(client, c))
    client.cookies.clear()
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    _, official_phone = await builders.person((Role.STREET_OFFICIAL, street), name="周建国")
    await places.create_department("区城管委", "chengguan")
    staff = await load_viewer(staff_id)
    await service.act(staff, code, Verb.ESCALATE, NOW, note="电缆归供电局，需要街道协调")

    await sign_in(client, staff_phone)
    page = text_of((await client.get(f"/s/{code}")).text)
    assert "已吹哨" in page and "等待报到" in page and "报到接办" not in page
    assert "电缆归供电局" in page  # the note between desks, for staff
    await post_form(client, "/logout", {})
    public = text_of((await client.get(f"/s/{code}")).text)
    assert "吹哨上报 → 新街口街道" in public and "电缆归供电局" not in public

    await sign_in(client, official_phone)
    page = await client.get(f"/s/{code}")
    assert "报到接办" in page.text and "退回并指导" in page.text
    take = await post_form(client, f"/s/{code}/act", {"verb": "take"})
    assert take.status_code == 303
    page = await client.get(f"/s/{code}")
    assert "区城管委" in page.text  # the street may now summon a department
