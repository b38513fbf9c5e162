"""微心愿 through the pages: post, review, claim, fulfil, confirm; privacy; weight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.wishes import service
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import WISHES, S
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime.now(UTC)


async def _viewer(*roles, name="张三丰", phone=""):
    person_id, phone = await builders.person(*roles, name=name, phone=phone)
    return await load_viewer(person_id), phone


async def _helper(community_id: int, name: str = "黄志远"):
    viewer, phone = await _viewer((Role.PARTY_MEMBER, community_id), name=name)
    hid = await service.report(viewer.id, community_id, Helper.Kind.MEMBER, name)
    await Helper.update({Helper.status: Helper.Status.VERIFIED}).where(Helper.id == hid)
    return viewer, phone


@pytest.fixture
async def place():
    c = await builders.community(name="杏花社区")
    owner, owner_phone = await _viewer((Role.RESIDENT, c.id), name="李桂芳", phone="13611112222")
    staff, staff_phone = await _viewer((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    return c, owner, owner_phone, staff, staff_phone


async def _published(c, owner, staff, title="配一副老花镜") -> int:
    wish_id = await service.submit_wish(owner, c.id, owner.id, title, "看报用", "助老", 80, NOW)
    await service.move(staff, wish_id, S.PUBLISHED, NOW)
    return wish_id


async def test_empty_tree_says_what_to_do(client, place):
    c = place[0]
    page = await client.get(f"/c/{c.slug}/wishes/")
    assert page.status_code == 200
    assert "心愿树上还没有心愿" in page.text
    home = await client.get(f"/c/{c.slug}/")
    assert f'href="/c/{c.slug}/wishes/"' in home.text


async def test_a_wish_from_posting_to_thanks(client, place):
    c, _owner, owner_phone, _staff, staff_phone = place
    await sign_in(client, owner_phone)
    bad = await post_form(
        client,
        f"/c/{c.slug}/wishes/new",
        {"title": "一台新电视机", "category": "生活用品", "value_yuan": "3000"},
    )
    assert bad.status_code == 422
    assert "不超过 500 元" in bad.text and 'value="一台新电视机"' in bad.text
    made = await post_form(
        client,
        f"/c/{c.slug}/wishes/new",
        {"title": "修理厨房水龙头", "category": "维修", "value_yuan": "60"},
    )
    assert made.status_code == 303
    wish_id = (await Wish.select(Wish.id).first())["id"]

    client.cookies.clear()
    assert (await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).status_code == 404  # not yet public
    await sign_in(client, staff_phone)
    queue = await client.get(f"/staff/c/{c.slug}/wishes/")
    assert "修理厨房水龙头" in queue.text
    await post_form(client, f"/c/{c.slug}/wishes/{wish_id}/move", {"to": "published"})

    client.cookies.clear()
    _, helper_phone = await _helper(c.id)
    await sign_in(client, helper_phone)
    page = await client.get(f"/c/{c.slug}/wishes/{wish_id}/")
    assert "我来认领" in page.text and "13611112222" not in page.text
    claimed = await post_form(client, f"/c/{c.slug}/wishes/{wish_id}/claim", {})
    assert claimed.status_code == 303
    page = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
    assert "已认领" in page and "13611112222" in page and "李桂芳" in page  # while claimed
    await post_form(
        client, f"/c/{c.slug}/wishes/{wish_id}/move", {"to": "fulfilled", "note": "换了新的阀芯"}
    )
    page = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
    assert "已实现" in page and "13611112222" not in page  # the claim is over

    client.cookies.clear()
    await sign_in(client, owner_phone)
    await post_form(
        client, f"/c/{c.slug}/wishes/{wish_id}/move", {"to": "confirmed", "note": "谢谢小黄！"}
    )
    page = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
    assert "已确认" in page and "谢谢小黄！" in page


async def test_the_slower_helper_is_told_kindly_and_offered_another(client, place):
    c, owner, _, staff, _ = place
    wish_id = await _published(c, owner, staff)
    first, _ = await _helper(c.id, "林晓梅")
    await service.claim(first, wish_id, NOW)
    _, phone = await _helper(c.id)
    await sign_in(client, phone)
    late = await post_form(client, f"/c/{c.slug}/wishes/{wish_id}/claim", {})
    assert late.status_code == 409
    assert "有人比您快了一步" in late.text and "随手帮一个" in late.text


async def test_public_pages_never_show_the_beneficiary(client, place):
    c, owner, _, staff, _ = place
    wish_id = await _published(c, owner, staff)
    for url in (f"/c/{c.slug}/wishes/", f"/c/{c.slug}/wishes/{wish_id}/"):
        html = (await client.get(url)).text
        assert "李桂芳" not in html and "13611112222" not in html
        assert "李**" in html


async def test_staff_of_another_community_see_nothing(client, place):
    c, owner, *_ = place
    await service.submit_wish(owner, c.id, owner.id, "老花镜", "", "助老", 50, NOW)
    other = await builders.community()
    _, phone = await builders.person((Role.COMMUNITY_STAFF, other.id))
    await sign_in(client, phone)
    assert (await client.get(f"/staff/c/{c.slug}/wishes/")).status_code == 403
    wish_id = (await Wish.select(Wish.id).first())["id"]
    assert (await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).status_code == 404


async def test_a_member_reports_and_staff_verify(client, place):
    c, *_, staff_phone = place
    _, phone = await builders.person((Role.RESIDENT, c.id), name="高建华")
    await sign_in(client, phone)
    sent = await post_form(
        client,
        f"/c/{c.slug}/wishes/report",
        {"kind": "member", "name": "高建华", "work_unit": "区医院"},
    )
    assert sent.status_code == 303
    assert "社区工作人员审核后" in (await client.get(f"/c/{c.slug}/wishes/report")).text
    assert "报到：杏花社区 等待社区审核" in text_of((await client.get("/me")).text)
    client.cookies.clear()
    await sign_in(client, staff_phone)
    helper_id = (await Helper.select(Helper.id).first())["id"]
    await post_form(client, f"/staff/c/{c.slug}/wishes/reports/{helper_id}", {"decision": "verify"})
    status = await Helper.select(Helper.status).where(Helper.id == helper_id).first()
    assert status["status"] == Helper.Status.VERIFIED
    client.cookies.clear()
    await sign_in(client, phone)
    assert "已通过，可以认领心愿" in text_of((await client.get("/me")).text)


@pytest.mark.parametrize("count", [6, 60])
async def test_tree_is_light_whatever_the_number_of_wishes(client, place, count):
    c, owner, _, staff, _ = place
    for n in range(count):
        await _published(c, owner, staff, title=f"心愿{n}号：修理门窗")
    _, phone = await _helper(c.id)
    await sign_in(client, phone)
    response = await client.get(f"/c/{c.slug}/wishes/", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.num_bytes_downloaded <= 20 * 1024
    assert int(response.headers["x-query-count"]) <= 8
    wish_id = (await Wish.select(Wish.id).first())["id"]
    page = await client.get(f"/c/{c.slug}/wishes/{wish_id}/", headers={"Accept-Encoding": "br"})
    assert page.num_bytes_downloaded <= 14 * 1024


async def test_thank_you_letter_masks_names_and_leads_back(client, place, tmp_path):
    import subprocess

    import zxingcpp
    from PIL import Image

    from civic.settings import Settings

    c, owner, _, staff, _ = place
    wish_id = await _published(c, owner, staff)
    helper, _ = await _helper(c.id, "黄志远")
    assert (await client.get(f"/c/{c.slug}/wishes/{wish_id}/thanks.pdf")).status_code == 404
    await service.claim(helper, wish_id, NOW)
    await service.move(helper, wish_id, S.FULFILLED, NOW, note="送到家了")
    await service.move(owner, wish_id, S.CONFIRMED, NOW, note="谢谢小黄，看报清楚多了！")
    response = await client.get(f"/c/{c.slug}/wishes/{wish_id}/thanks.pdf")
    assert response.status_code == 200
    assert len(response.content) <= 120 * 1024
    pdf = tmp_path / "thanks.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "配一副老花镜" in text and "谢谢小黄，看报清楚多了！" in text
    assert "李**" in text and "黄**" in text
    assert "李桂芳" not in text and "13611112222" not in text and "黄志远" not in text
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    base = Settings.from_env().base_url
    assert [code.text for code in codes] == [f"{base}/c/{c.slug}/wishes/{wish_id}/"]


async def test_me_lists_my_wishes_and_claims_with_the_next_step(client, place):
    c, owner, owner_phone, staff, _ = place
    wish_id = await _published(c, owner, staff)
    helper, helper_phone = await _helper(c.id)
    await service.claim(helper, wish_id, NOW)
    await sign_in(client, helper_phone)
    me = text_of((await client.get("/me")).text)
    assert "认领：配一副老花镜" in me and "前完成" in me
    await service.move(helper, wish_id, S.FULFILLED, NOW, note="送到了")
    client.cookies.clear()
    await sign_in(client, owner_phone)
    me = text_of((await client.get("/me")).text)
    assert "心愿：配一副老花镜" in me and "请确认收到" in me


async def test_staff_figures_match_the_rows_and_export_as_csv(client, place):
    c, owner, _, staff, staff_phone = place
    a, _ = await _helper(c.id, "黄志远")
    b, _ = await _helper(c.id, "林晓梅")
    w1, w2, w3 = [await _published(c, owner, staff, title=f"心愿{n}") for n in range(3)]
    await service.claim(a, w1, NOW)
    await service.move(a, w1, S.FULFILLED, NOW, note="完成")
    await service.claim(a, w2, NOW)
    await service.claim(b, w3, NOW)
    await service.move(b, w3, S.FULFILLED, NOW, note="完成")
    await service.move(owner, w3, S.CONFIRMED, NOW)
    await sign_in(client, staff_phone)
    page = text_of((await client.get(f"/staff/c/{c.slug}/wishes/")).text)
    assert "已发布心愿 3" in page and "正在认领 1" in page and "报到党员 2" in page
    assert "人均实现心愿 1.0" in page  # 2 wishes done by 2 verified members
    response = await client.get(f"/staff/c/{c.slug}/wishes/figures.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "认领人,身份,认领次数,完成次数"
    assert "黄志远,在职党员,2,1" in rows and "林晓梅,在职党员,1,1" in rows
    assert "人均实现心愿,1.0" in rows


async def test_a_returned_wish_is_edited_and_resubmitted(client, place):
    c, owner, owner_phone, staff, _ = place
    wish_id = await service.submit_wish(owner, c.id, owner.id, "电视", "", "生活用品", 80, NOW)
    await service.move(staff, wish_id, S.RETURNED, NOW, note="请写清楚需要什么")
    await sign_in(client, owner_phone)
    page = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
    assert "社区退回修改：请写清楚需要什么" in page
    bad = await post_form(
        client,
        f"/c/{c.slug}/wishes/{wish_id}/move",
        {
            "to": "submitted",
            "title": "一台电视",
            "category": "生活用品",
            "value_yuan": "900",
            "description": "看新闻",
        },
    )
    assert bad.status_code == 400 and "不超过 500 元" in bad.text
    assert 'value="900"' in bad.text and "看新闻" in bad.text  # what was typed is kept
    ok = await post_form(
        client,
        f"/c/{c.slug}/wishes/{wish_id}/move",
        {
            "to": "submitted",
            "title": "修好旧电视的遥控器",
            "category": "维修",
            "value_yuan": "30",
            "description": "",
        },
    )
    assert ok.status_code == 303
    row = (
        await Wish.select(Wish.title, Wish.status, Wish.value_yuan)
        .where(Wish.id == wish_id)
        .first()
    )
    assert row == {"title": "修好旧电视的遥控器", "status": "submitted", "value_yuan": 30}


async def test_staff_revoke_a_verification_with_a_reason(client, place):
    c, owner, _, staff, staff_phone = place
    helper, _ = await _helper(c.id, "高建华")
    wish_id = await _published(c, owner, staff)
    await service.claim(helper, wish_id, NOW)
    await sign_in(client, staff_phone)
    page = await client.get(f"/staff/c/{c.slug}/wishes/")
    helper_id = (await Helper.select(Helper.id).first())["id"]
    assert f"/wishes/reports/{helper_id}" in page.text
    await post_form(
        client,
        f"/staff/c/{c.slug}/wishes/reports/{helper_id}",
        {"decision": "reject", "reason": "已调离本社区"},
    )
    row = await Helper.select(Helper.status, Helper.reason).first()
    assert row == {"status": Helper.Status.REVOKED, "reason": "已调离本社区"}
    assert await service.verified_helper(helper.id, c.id) is None
    # The wish the helper had claimed is back on the tree; its public history says what
    # happened, and the reason staff gave stays with them.
    client.cookies.clear()
    page = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
    assert "待认领" in page and "认领人的报到已被社区撤销" in page
    assert "已调离本社区" not in page


async def test_the_tree_lists_every_waiting_wish_and_the_newest_thanks(client, place):
    """However many years of thanks: every waiting wish, the 20 newest confirmed ones on the
    whole tree, the 60 newest when only 已完成 is asked for; older ones keep their address."""
    c, owner, _phone, staff, _staff_phone = place
    for n in range(3):
        await _published(c, owner, staff, title=f"等待中的心愿{n}")
    confirmed = [await _published(c, owner, staff, title=f"完成的心愿{n:02d}") for n in range(65)]
    await Wish.update({Wish.status: S.CONFIRMED}).where(Wish.id.is_in(confirmed))
    await WISHES.recount()  # moved around the engine: its figures counted again

    listed = text_of((await client.get(f"/c/{c.slug}/wishes/")).text)
    for n in range(3):
        assert f"等待中的心愿{n}" in listed
    shown = [n for n in range(65) if f"完成的心愿{n:02d}" in listed]
    assert shown == list(range(45, 65))

    only_thanks = text_of((await client.get(f"/c/{c.slug}/wishes/?status=confirmed")).text)
    assert [n for n in range(65) if f"完成的心愿{n:02d}" in only_thanks] == list(range(5, 65))
    assert "等待中的心愿0" not in only_thanks

    oldest = await client.get(f"/c/{c.slug}/wishes/{confirmed[0]}/")
    assert oldest.status_code == 200
    assert "完成的心愿00" in oldest.text
