"""微心愿 photos through the pages: a wish's photo, the fulfilment photo and the report photo;
who may see each; what is left of a phone photo; what happens to a file that is no photo."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import ExifTags, Image

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.photos.tables import Photo
from civic.wishes import service
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import S
from tests import builders
from tests.builders import csrf_token, sign_in, text_of
from tests.unit.test_photos import phone_photo

NOW = datetime.now(UTC)


async def post_with_files(client, url: str, data: dict, files: dict | None = None, **kwargs):
    """Submit a multipart form as a browser does, with the page's CSRF token in a field."""
    data = {**data, "_csrf_token": await csrf_token(client)}
    return await client.post(url, data=data, files=files or {}, **kwargs)


def jpeg(raw: bytes, name: str = "IMG_2041.JPG") -> dict:
    return {"photo": (name, raw, "image/jpeg")}


async def _viewer(*roles, name="张三丰"):
    person_id, phone = await builders.person(*roles, name=name)
    return await load_viewer(person_id), phone


@pytest.fixture
async def place():
    street = await builders.street(await builders.district())
    here = await builders.community(street, name="杏花社区")
    there = await builders.community(street, name="湖畔社区")
    owner, owner_phone = await _viewer((Role.RESIDENT, here.id), name="李桂芳")
    staff, staff_phone = await _viewer((Role.COMMUNITY_STAFF, here.id), name="王秀兰")
    _, elsewhere_phone = await _viewer((Role.COMMUNITY_STAFF, there.id), name="陈静")
    _, neighbour_phone = await _viewer((Role.RESIDENT, here.id), name="张福林")
    return {
        "here": here,
        "there": there,
        "owner": owner,
        "staff": staff,
        "phones": {
            "owner": owner_phone,
            "staff": staff_phone,
            "elsewhere": elsewhere_phone,
            "neighbour": neighbour_phone,
        },
    }


async def test_a_resident_posts_a_wish_with_a_photo_and_everyone_sees_it_upright_and_clean(
    client, place
):
    c = place["here"]
    await sign_in(client, place["phones"]["owner"])
    made = await post_with_files(
        client,
        f"/c/{c.slug}/wishes/new",
        {"title": "修理厨房水龙头", "category": "维修", "value_yuan": "60"},
        jpeg(phone_photo((3000, 4000))),
    )
    assert made.status_code == 303, made.text
    wish = await Wish.select(Wish.id, Wish.photo).first()
    assert wish["photo"] is not None
    await service.move(place["staff"], wish["id"], S.PUBLISHED, NOW)

    client.cookies.clear()  # a visitor
    page = await client.get(f"/c/{c.slug}/wishes/{wish['id']}/", headers={"Accept-Encoding": "br"})
    assert page.num_bytes_downloaded <= 14 * 1024
    img = re.search(r"<img [^>]*/wishes/\d+/photo[^>]*>", page.text)
    assert img is not None
    tag = img.group(0)
    assert 'alt="心愿照片：修理厨房水龙头"' in tag and 'loading="lazy"' in tag
    assert 'width="1200"' in tag and 'height="1600"' in tag
    src = re.search(r'src="([^"]+)"', tag).group(1)
    photo = await client.get(src, headers={"Accept-Encoding": "br, gzip"})
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert "private" in photo.headers["cache-control"]
    assert "max-age=31536000" in photo.headers["cache-control"]
    assert "content-encoding" not in photo.headers  # a JPEG is not compressed twice
    assert len(photo.content) <= 200 * 1024
    image = Image.open(io.BytesIO(photo.content))
    assert image.size == (1200, 1600)
    assert not image.getexif() and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    tree = await client.get(f"/c/{c.slug}/wishes/")
    assert "<img" not in tree.text  # the tree stays light: photos only on a wish's page


async def test_a_text_file_named_like_a_photo_is_refused_and_what_was_typed_stays(client, place):
    c = place["here"]
    await sign_in(client, place["phones"]["owner"])
    refused = await post_with_files(
        client,
        f"/c/{c.slug}/wishes/new",
        {"title": "配一副老花镜", "category": "助老", "value_yuan": "80", "description": "看报用"},
        jpeg(b"just some text, not a photo\n", name="x.jpg"),
    )
    assert refused.status_code == 422
    page = text_of(refused.text)
    assert "这不是一张能打开的照片" in page and "照片需要重新选择" in page
    assert 'value="配一副老花镜"' in refused.text and 'value="80"' in refused.text
    assert "看报用" in refused.text and 'enctype="multipart/form-data"' in refused.text
    assert await Wish.count() == 0 and await Photo.count() == 0


async def test_a_body_over_twelve_megabytes_is_refused_with_413(client, place):
    c = place["here"]
    await sign_in(client, place["phones"]["owner"])
    refused = await post_with_files(
        client,
        f"/c/{c.slug}/wishes/new",
        {"title": "修理厨房水龙头", "category": "维修", "value_yuan": "60"},
        jpeg(b"\xff" * (13 * 1024 * 1024)),
    )
    assert refused.status_code == 413
    assert "文件太大了" in refused.text and "请换一张小一点的图片" in refused.text
    assert await Wish.count() == 0


async def test_an_oversized_body_is_refused_from_its_length_before_it_is_read(app, place):
    """Nothing of the body is read: the answer comes from the Content-Length header alone."""
    c = place["here"]
    reads = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/c/{c.slug}/wishes/new",
        "raw_path": f"/c/{c.slug}/wishes/new".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver.local"),
            (b"content-type", b"multipart/form-data; boundary=xyz"),
            (b"content-length", str(50 * 1024 * 1024).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert reads == 0


async def test_a_wish_not_yet_public_shows_its_photo_to_its_owner_and_staff_only(client, place):
    c, other = place["here"], place["there"]
    photo_id = await _stored_photo()
    wish_id = await service.submit_wish(
        place["owner"], c.id, place["owner"].id, "轮椅坐垫", "", "助残", 70, NOW, photo_id=photo_id
    )
    url = f"/c/{c.slug}/wishes/{wish_id}/photo"
    assert (await client.get(url)).status_code == 404  # a visitor
    for who, status in [("elsewhere", 404), ("neighbour", 404), ("owner", 200), ("staff", 200)]:
        client.cookies.clear()
        await sign_in(client, place["phones"][who])
        assert (await client.get(url)).status_code == status, who
    # Asked for through another community's address, it does not exist there.
    client.cookies.clear()
    await sign_in(client, place["phones"]["elsewhere"])
    assert (await client.get(f"/c/{other.slug}/wishes/{wish_id}/photo")).status_code == 404
    assert (await client.get(f"/c/{c.slug}/wishes/{wish_id}/fulfil-photo")).status_code == 404


async def test_the_claimer_shows_what_was_done_with_a_photo(client, place):
    c = place["here"]
    wish_id = await service.submit_wish(
        place["owner"], c.id, place["owner"].id, "修好楼道声控灯", "", "维修", 40, NOW
    )
    await service.move(place["staff"], wish_id, S.PUBLISHED, NOW)
    helper, helper_phone = await _viewer((Role.PARTY_MEMBER, c.id), name="黄志远")
    hid = await service.report(helper.id, c.id, Helper.Kind.MEMBER, "黄志远")
    await service.decide_report(place["staff"], hid, True, NOW)
    await service.claim(helper, wish_id, NOW)
    await sign_in(client, helper_phone)
    page = await client.get(f"/c/{c.slug}/wishes/{wish_id}/")
    assert re.search(r'<form [^>]*enctype="multipart/form-data"[^>]*>', page.text)
    done = await post_with_files(
        client,
        f"/c/{c.slug}/wishes/{wish_id}/move",
        {"to": "fulfilled", "note": "换了新的灯泡"},
        jpeg(phone_photo((800, 600))),
    )
    assert done.status_code == 303, done.text
    client.cookies.clear()
    page = await client.get(f"/c/{c.slug}/wishes/{wish_id}/")
    assert "换了新的灯泡" in page.text and 'alt="完成情况的照片"' in page.text
    photo = await client.get(f"/c/{c.slug}/wishes/{wish_id}/fulfil-photo")
    assert photo.status_code == 200 and Image.open(io.BytesIO(photo.content)).size == (800, 600)


async def test_a_returned_wish_gets_a_new_photo_and_the_old_one_is_gone(client, place):
    c = place["here"]
    first = await _stored_photo()
    wish_id = await service.submit_wish(
        place["owner"], c.id, place["owner"].id, "电视", "", "生活用品", 80, NOW, photo_id=first
    )
    await service.move(place["staff"], wish_id, S.RETURNED, NOW, note="请写清楚需要什么")
    await sign_in(client, place["phones"]["owner"])
    fields = {"to": "submitted", "title": "修好电视遥控器", "category": "维修", "value_yuan": "30"}
    refused = await post_with_files(
        client, f"/c/{c.slug}/wishes/{wish_id}/move", fields, jpeg(b"not a photo")
    )
    assert refused.status_code == 422 and "这不是一张能打开的照片" in refused.text
    assert 'value="修好电视遥控器"' in refused.text  # what was typed is kept
    ok = await post_with_files(
        client, f"/c/{c.slug}/wishes/{wish_id}/move", fields, jpeg(phone_photo((600, 800)))
    )
    assert ok.status_code == 303
    row = await Wish.select(Wish.photo, Wish.title).where(Wish.id == wish_id).first()
    assert row["photo"] not in (None, first) and row["title"] == "修好电视遥控器"
    assert await Photo.count().where(Photo.id == first) == 0  # not kept for nothing
    await service.move(place["staff"], wish_id, S.RETURNED, NOW, note="还是写得不够清楚")
    dropped = await post_with_files(
        client, f"/c/{c.slug}/wishes/{wish_id}/move", {**fields, "drop_photo": "1"}
    )
    assert dropped.status_code == 303
    assert (await Wish.select(Wish.photo).where(Wish.id == wish_id).first())["photo"] is None
    assert await Photo.count() == 0


async def test_a_report_photo_is_seen_by_the_member_and_the_community_staff_only(client, place):
    c, other = place["here"], place["there"]
    _, member_phone = await _viewer((Role.RESIDENT, c.id), name="高建华")
    await sign_in(client, member_phone)
    sent = await post_with_files(
        client,
        f"/c/{c.slug}/wishes/report",
        {"kind": "member", "name": "高建华", "work_unit": "区医院"},
        jpeg(phone_photo((900, 1200))),
    )
    assert sent.status_code == 303, sent.text
    helper = await Helper.select(Helper.id, Helper.photo).first()
    assert helper["photo"] is not None
    url = f"/c/{c.slug}/wishes/reports/{helper['id']}/photo"
    assert url in (await client.get(f"/c/{c.slug}/wishes/report")).text
    assert (await client.get(url)).status_code == 200  # the member's own

    client.cookies.clear()
    assert (await client.get(url)).status_code == 303  # a visitor is asked to sign in
    for who, status in [("neighbour", 403), ("owner", 403), ("elsewhere", 403), ("staff", 200)]:
        client.cookies.clear()
        await sign_in(client, place["phones"][who])
        assert (await client.get(url)).status_code == status, who
    queue = await client.get(f"/staff/c/{c.slug}/wishes/")
    assert url in queue.text and 'alt="高建华报到时上传的照片"' in queue.text
    # Nor is it reached through another community's address.
    other_url = f"/c/{other.slug}/wishes/reports/{helper['id']}/photo"
    client.cookies.clear()
    await sign_in(client, place["phones"]["elsewhere"])
    assert (await client.get(other_url)).status_code == 404
    # Nor is it ever shown on a public page.
    client.cookies.clear()
    for public in (f"/c/{c.slug}/wishes/", f"/c/{c.slug}/"):
        assert "/reports/" not in (await client.get(public)).text


async def test_a_report_with_a_bad_photo_keeps_what_was_typed(client, place):
    c = place["here"]
    _, member_phone = await _viewer((Role.RESIDENT, c.id), name="高建华")
    await sign_in(client, member_phone)
    refused = await post_with_files(
        client,
        f"/c/{c.slug}/wishes/report",
        {"kind": "member", "name": "高建华", "work_unit": "区医院"},
        jpeg(b"%PDF-1.4 not a photo", name="card.jpg"),
    )
    assert refused.status_code == 422 and "这不是一张能打开的照片" in refused.text
    assert 'value="区医院"' in refused.text
    assert await Helper.count() == 0


async def _stored_photo() -> int:
    from civic.photos import service as photos

    return await photos.save(phone_photo((400, 300)))
