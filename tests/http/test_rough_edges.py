"""Rough edges a resident meets: a reload after a refused form, error pages, the report's month,
sign-up, pages past the last, what the home and the poster offer, the demo's account list."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from litestar import Litestar
from litestar.routes import HTTPRoute

from civic import demo
from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import load_viewer
from civic.places import service as places
from civic.web.clock import LOCAL_TZ
from civic.wishes import service as wishes
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime.now(UTC)
ROOT = Path(__file__).resolve().parents[2]


def _post_only(app: Litestar) -> list[str]:
    """Every address of the app that answers POST and not GET, as declared."""
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "POST" in route.methods and "GET" not in route.methods:
            found.append(route.path)
    return sorted(found)


def _filled(pattern: str) -> str:
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: "7" if m[2] == "int" else "xinghua", pattern)


async def test_every_post_only_address_asked_with_get_leads_to_the_page_of_its_form(app, client):
    addresses = _post_only(app)
    assert "/c/{slug:str}/wishes/{wish_id:int}/claim" in addresses
    assert "/logout" in addresses
    for pattern in addresses:
        path = _filled(pattern)
        response = await client.get(path)
        assert response.status_code == 303, (pattern, response.status_code)
        page = response.headers["location"]
        assert path.startswith(page.rstrip("/")) and page != path, (path, page)
        assert (await client.get(page)).status_code != 405, (path, page)
    wish_claim = await client.get("/c/xinghua/wishes/7/claim")
    assert wish_claim.headers["location"] == "/c/xinghua/wishes/7/"
    assert (await client.get("/logout")).headers["location"] == "/"


async def _helper(community_id: int, name: str = "黄志远"):
    person_id, phone = await builders.person((Role.PARTY_MEMBER, community_id), name=name)
    hid = await wishes.report(person_id, community_id, Helper.Kind.MEMBER, name)
    await Helper.update({Helper.status: Helper.Status.VERIFIED}).where(Helper.id == hid)
    return await load_viewer(person_id), phone


async def test_a_helper_at_the_claim_cap_is_told_before_tapping_and_a_reload_shows_the_wish(
    client,
):
    c = await builders.community(name="杏花社区")
    staff_id, _p = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    owner_id, _p = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    owner = await load_viewer(owner_id)
    helper, phone = await _helper(c.id)

    async def published(title: str) -> int:
        wish_id = await wishes.submit_wish(owner, c.id, owner.id, title, "", "助老", 50, NOW)
        await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
        return wish_id

    held = [await published(f"心愿{i}") for i in range(wishes.MAX_OPEN_CLAIMS)]
    spare = await published("配一副老花镜")
    await sign_in(client, phone)

    before = text_of((await client.get(f"/c/{c.slug}/wishes/{spare}/")).text)
    assert "我来认领" in before and "您已认领" not in before
    tree = (await client.get(f"/c/{c.slug}/wishes/")).text
    assert "随手帮一个" in tree

    for wish_id in held[:-1]:
        await wishes.claim(helper, wish_id, NOW)
    assert "我来认领" in (await client.get(f"/c/{c.slug}/wishes/{spare}/")).text
    await wishes.claim(helper, held[-1], NOW)

    tree = text_of((await client.get(f"/c/{c.slug}/wishes/")).text)
    assert "随手帮一个" not in tree
    assert "您已认领 3 个心愿，完成后再认领新的吧。" in tree
    page = text_of((await client.get(f"/c/{c.slug}/wishes/{spare}/")).text)
    assert "我来认领" not in page
    assert "您已认领 3 个心愿，完成后再认领新的吧。" in page

    refused = await post_form(client, f"/c/{c.slug}/wishes/{spare}/claim", {})
    assert refused.status_code == 403
    assert "您已认领 3 个心愿" in refused.text
    assert "随手帮一个" not in text_of(refused.text)
    # The browser's reload of the refused form's address
    reload = await client.get(f"/c/{c.slug}/wishes/{spare}/claim")
    assert reload.status_code == 303
    assert reload.headers["location"] == f"/c/{c.slug}/wishes/{spare}/"
    shown = await client.get(reload.headers["location"])
    assert shown.status_code == 200 and "配一副老花镜" in shown.text


async def test_a_signed_in_resident_who_is_no_helper_sees_how_to_become_one(client):
    c = await builders.community()
    staff = await load_viewer((await builders.person((Role.COMMUNITY_STAFF, c.id)))[0])
    owner_id, _p = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    owner = await load_viewer(owner_id)
    wish_id = await wishes.submit_wish(owner, c.id, owner.id, "买一袋大米", "", "助老", 50, NOW)
    await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
    _id, phone = await builders.person((Role.RESIDENT, c.id), name="郑小雨")
    await sign_in(client, phone)
    page = await client.get(f"/c/{c.slug}/wishes/{wish_id}/")
    assert "报到、通过审核后就能认领心愿" in text_of(page.text)
    assert f'href="/c/{c.slug}/wishes/report"' in page.text
    assert "我来认领" not in page.text


async def test_error_pages_show_the_signed_in_header(client):
    c = await builders.community()
    _id, phone = await builders.person((Role.RESIDENT, c.id), name="郑小雨")
    visitor_404 = await client.get("/no/such/page")
    assert visitor_404.status_code == 404 and 'href="/me/messages"' not in visitor_404.text
    await sign_in(client, phone)
    for path in ("/no/such/page", f"/c/{c.slug}/wishes/999999/", "/c/no-such-place/"):
        page = await client.get(path)
        assert page.status_code == 404, path
        assert 'href="/me/messages"' in page.text and 'href="/me"' in page.text, path
        assert ">登录<" not in page.text, path


async def test_a_photo_too_big_says_so_and_leads_back_to_the_form(client):
    c = await builders.community()
    _id, phone = await builders.person((Role.RESIDENT, c.id), name="郑小雨")
    await sign_in(client, phone)
    token = await builders.csrf_token(client)
    body = b"x" * (25 * 1024 * 1024)  # past the largest limit of a form with a photo
    for form in (f"/c/{c.slug}/wishes/new", f"/c/{c.slug}/suggestions/new"):
        response = await client.post(
            form,
            content=body,
            headers={
                "content-type": "multipart/form-data; boundary=b",
                "x-csrftoken": token,
            },
        )
        assert response.status_code == 413, form
        text = text_of(response.text)
        assert "照片太大了" in text, form
        assert f'href="{form}"' in response.text, form
        assert 'href="/me/messages"' in response.text, form


def _month(m: date) -> str:
    return f"{m.year}年{m.month}月"


async def test_the_monthly_report_opens_on_the_last_complete_month(client):
    c = await builders.community(name="杏花社区")
    today = NOW.astimezone(LOCAL_TZ).date()
    this_month = today.replace(day=1)
    last = date(this_month.year - 1, 12, 1) if this_month.month == 1 else this_month
    last = last if this_month.month == 1 else date(this_month.year, this_month.month - 1, 1)
    page = await client.get(f"/c/{c.slug}/suggestions/report")
    assert page.status_code == 200
    heading = re.search(r"<h1>(.*?)</h1>", page.text, re.S)
    assert heading and _month(last) in heading[1]
    current = f'href="?month={this_month:%Y-%m}"'
    assert current in page.text
    assert f"{_month(this_month)}（本月，统计中）" in text_of(page.text)
    chosen = await client.get(f"/c/{c.slug}/suggestions/report?month={this_month:%Y-%m}")
    heading = re.search(r"<h1>(.*?)</h1>", chosen.text, re.S)
    assert heading and _month(this_month) in heading[1]


async def test_sign_up_signs_in_and_lists_only_the_chosen_communitys_buildings(client):
    street = await builders.street(await builders.district())
    own = await builders.community(street, name="杏花社区")
    other = await builders.community(street, name="槐树里社区")
    mine = await places.create_building(own.id, "杏花甲栋")
    await places.create_building(other.id, "槐树里9号楼")

    first = text_of((await client.get("/signup")).text)
    assert "杏花甲栋" not in first and "槐树里9号楼" not in first
    page = await client.get(f"/signup?community={own.slug}")
    assert "杏花甲栋" in page.text and "槐树里9号楼" not in page.text

    response = await post_form(
        client,
        "/signup",
        {
            "phone": "13812345679",
            "name": "李桂芳",
            "password": "my secret 1",
            "community": own.slug,
            "building": str(mine),
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/me"
    me = await client.get("/me")
    assert me.status_code == 200 and "李桂芳" in text_of(me.text)
    person = await Person.select(Person.building).where(Person.phone == "13812345679").first()
    assert person["building"] == mine


async def test_signing_up_again_with_the_right_password_signs_in_and_a_wrong_one_does_not(
    client,
):
    c = await builders.community()
    _id, phone = await builders.person((Role.RESIDENT, c.id), name="郑小雨")
    fields = {"phone": phone, "name": "郑小雨", "community": c.slug}
    wrong = await post_form(client, "/signup", {**fields, "password": "not the one 9"})
    assert wrong.status_code == 303 and wrong.headers["location"] == "/me"
    asked = await client.get("/me")
    assert asked.status_code == 303 and asked.headers["location"].startswith("/login")
    right = await post_form(client, "/signup", {**fields, "password": builders.PASSWORD})
    assert right.headers["location"] == "/me"
    assert (await client.get("/me")).status_code == 200


async def test_a_page_past_the_last_says_there_is_no_such_page(client):
    c = await builders.community()
    for board in (f"/c/{c.slug}/suggestions/", f"/c/{c.slug}/hall/"):
        page = text_of((await client.get(f"{board}?page=999")).text)
        assert "没有这一页" in page and "回到第一页" in page, board
        assert "还没有" not in page, board
        first = text_of((await client.get(board)).text)
        assert "没有这一页" not in first and "还没有" in first, board


async def test_the_home_and_the_sign_up_offer_what_the_registry_has(app, client, tmp_path):
    c = await builders.community(name="杏花社区")
    labels = [e.label for e in app.state.community_entries]
    assert labels == ["微心愿", "意见箱", "议事厅"]
    signup = text_of((await client.get(f"/signup?community={c.slug}")).text)
    assert "注册后可以使用：微心愿、意见箱、议事厅。" in signup
    for missing in ("报名活动", "公开栏", "志愿积分"):
        assert missing not in signup
    poster = await client.get(f"/c/{c.slug}/poster.pdf")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(poster.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for label in labels:
        assert label in text
    assert "志愿积分" not in text and "看公告" not in text

    app.state.community_entries = []  # a site before any feature has landed
    home = text_of((await client.get(f"/c/{c.slug}/")).text)
    assert "网上服务还没有开通" in home
    for label in (*labels, "公开栏", "志愿积分"):
        assert label not in home


def _readme_phones() -> set[str]:
    table = (ROOT / "README.md").read_text().split("### Demo accounts", 1)[1].split("\n\n")[2]
    phones: set[str] = set()
    for row in table.splitlines():
        for first, last in re.findall(r"(1\d{10})(?: – (1\d{10}))?", row):
            phones.update(str(n) for n in range(int(first), int(last or first) + 1))
    return phones


def test_the_printed_demo_accounts_name_places_and_agree_with_the_readme():
    lines = demo.account_lines()
    slugs = set(demo.place_names())
    assert "  13900000011  王秀兰     社区工作者·杏花社区" in lines
    assert any("职能部门·区城市管理委员会" in line for line in lines)
    for line in lines:
        assert not any(re.search(rf"\b{slug}\b", line) for slug in slugs), line
    printed = {line.split()[0] for line in lines}
    listed = {p for p in _readme_phones() if p.startswith("139")}
    assert printed == listed


async def test_the_accounts_a_demo_part_adds_are_listed_as_runs_by_place_name():
    street = await builders.street(await builders.district())
    own = await builders.community(street, name="杏花社区")
    other = await builders.community(street, name="湖畔社区")
    for n in range(3):
        await builders.person((Role.RESIDENT, own.id), phone=f"1360000000{n}")
    await builders.person((Role.RESIDENT, other.id), phone="13601000000")
    for n in range(2):
        await builders.person(
            (Role.RESIDENT, own.id), (Role.PARTY_MEMBER, own.id), phone=f"1370000000{n}"
        )
    await builders.person((Role.COMMUNITY_STAFF, own.id), phone=demo.ACCOUNTS[5].phone)
    assert await demo.more_account_lines() == [
        "  13600000000 – 13600000002  居民·杏花社区",
        "  13601000000  居民·湖畔社区",
        "  13700000000 – 13700000001  在职党员·杏花社区",
    ]


def _too_big(token: str) -> bytes:
    fields = {"_csrf_token": token, "title": "修一修楼道的灯", "description": "三楼的灯不亮了"}
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        b'--b\r\nContent-Disposition: form-data; name="photo"; filename="big.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + b"\xff" * (13 * 1024 * 1024) + b"\r\n--b--\r\n"
    )
    return b"".join(parts)


async def test_a_wish_refused_for_a_big_photo_comes_back_with_what_was_typed(client):
    c = await builders.community()
    _id, phone = await builders.person((Role.RESIDENT, c.id), name="郑小雨")
    await sign_in(client, phone)
    headers = {"content-type": "multipart/form-data; boundary=b"}
    forged = await client.post(
        f"/c/{c.slug}/wishes/new", content=_too_big("x" * 64), headers=headers
    )
    assert forged.status_code == 413
    page = await client.get(f"/c/{c.slug}/wishes/new")
    assert "修一修楼道的灯" not in page.text  # not from another site's form

    token = await builders.csrf_token(client)
    refused = await client.post(f"/c/{c.slug}/wishes/new", content=_too_big(token), headers=headers)
    assert refused.status_code == 413
    assert "照片太大了" in text_of(refused.text)
    again = await client.get(f"/c/{c.slug}/wishes/new")
    assert 'value="修一修楼道的灯"' in again.text
    assert "三楼的灯不亮了" in again.text
    assert "照片太大了，请换一张小一点的照片，其他内容已经保留。" in text_of(again.text)
    once_more = await client.get(f"/c/{c.slug}/wishes/new")
    assert "修一修楼道的灯" not in once_more.text and "照片太大了" not in once_more.text


async def test_a_case_refused_for_big_photos_comes_back_with_what_was_typed(client):
    c = await builders.community()
    _id, phone = await builders.person((Role.RESIDENT, c.id), name="郑小雨")
    await sign_in(client, phone)
    token = await builders.csrf_token(client)
    fields = {"_csrf_token": token, "category": "设施维修", "text": "三楼的灯不亮了", "public": "1"}
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        b'--b\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + b"\xff" * (30 * 1024 * 1024) + b"\r\n--b--\r\n"
    )
    headers = {"content-type": "multipart/form-data; boundary=b"}
    url = f"/c/{c.slug}/suggestions/new"
    refused = await client.post(url, content=b"".join(parts), headers=headers)
    assert refused.status_code == 413
    again = await client.get(url)
    assert "三楼的灯不亮了" in again.text
    assert "照片太大了，请换小一点的照片，其他内容已经保留。" in text_of(again.text)
