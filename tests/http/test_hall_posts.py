"""A topic's posts through the site: posting (with JavaScript and without), names masked,
hidden posts, escaped text, the poll's 304 on one worker and across two, and the queries a
poll costs."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import Viewer, load_viewer
from civic.app import create_app
from civic.hall import posts, service
from civic.hall.tables import Post
from civic.places import service as places
from civic.places.tables import Household
from civic.settings import Settings
from civic.web.clock import FixedClock
from tests import builders
from tests.builders import csrf_token, post_form, sign_in, text_of

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true", "HX-Target": "posts"}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass
class Hall:
    slug: str
    topic: dict[str, Any]
    staff: str
    author: str
    author_id: int
    neighbour: str
    neighbour_id: int

    @property
    def base(self) -> str:
        return f"/c/{self.slug}/hall/{self.topic['id']}"


async def _resident(building_id: int, door: str, name: str) -> tuple[int, str]:
    person_id, phone = await builders.person(name=name)
    rows = await Household.insert(
        Household(building=building_id, door=door, area_dm2=8000, key=f"{building_id}:{door}")
    ).returning(Household.id)
    await Person.update(
        {Person.household: rows[0]["id"], Person.household_confirmed_at: NOW - timedelta(days=1)}
    ).where(Person.id == person_id)
    return person_id, phone


async def _viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def hall() -> Hall:
    c = await builders.community(name="杏花社区")
    building = await places.create_building(c.id, "1号楼")
    staff_id, staff = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    given = service.TopicInput(
        "加装电梯", "请大家说说看法。", service.Topic.Scope.BUILDING, building_id=building
    )
    made = await service.open_topic(await _viewer(staff_id), c.id, given, NOW)
    author_id, author = await _resident(building, "101", "李桂芳")
    neighbour_id, neighbour = await _resident(building, "102", "孙立新")
    return Hall(c.slug, made, staff, author, author_id, neighbour, neighbour_id)


async def topic_now(h: Hall) -> dict[str, Any]:
    return await service.load(h.topic["id"], h.topic["community"])


async def write(h: Hall, person_id: int, text: str, **kw: Any) -> int:
    who = await _viewer(person_id)
    return await posts.write(who, await topic_now(h), "for", text, NOW, store=None, **kw)


async def test_a_post_is_shown_with_a_masked_name_and_full_to_staff(client: AsyncTestClient):
    h = await hall()
    await sign_in(client, h.author)
    response = await post_form(
        client, f"{h.base}/posts", {"stance": "idea", "text": "装在北侧\n不挡光"}
    )
    assert response.status_code == 303
    post_id = (await Post.select(Post.id).first())["id"]
    assert response.headers["location"] == f"{h.base}/#post-{post_id}"

    await sign_in(client, h.neighbour)
    fragment = await client.get(f"{h.base}/posts")
    assert fragment.status_code == 200
    words = text_of(fragment.text)
    assert "建议 李** " in words and "装在北侧\n不挡光" in fragment.text
    assert "李桂芳" not in fragment.text
    assert "支持 0 反对 0 建议 1 其他 0" in words
    assert f'data-hx-get="{h.base}/posts"' in fragment.text
    assert 'data-hx-trigger="every 15s, tabvisible from:document"' in fragment.text

    await sign_in(client, h.staff)
    assert "李桂芳" in (await client.get(f"{h.base}/posts")).text

    client.cookies.clear()
    visitor = text_of((await client.get(f"{h.base}/posts")).text)
    assert "李**" in visitor and "登录后就能参与议事。 去登录" in visitor
    assert "举报" not in visitor and "发表" not in visitor


async def test_htmx_posts_and_replies_answer_with_the_posts_section(client: AsyncTestClient):
    h = await hall()
    await sign_in(client, h.author)
    response = await post_form(
        client, f"{h.base}/posts", {"stance": "for", "text": "同意加装。"}, headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="posts"' in response.text and "同意加装。" in response.text
    assert "<html" not in response.text
    first = (await Post.select(Post.id).first())["id"]
    await sign_in(client, h.neighbour)
    reply = await post_form(
        client,
        f"{h.base}/posts",
        {"stance": "against", "text": "一楼会挡光。", "parent": str(first), "page": "1"},
    )
    assert reply.status_code == 303
    reply_id = (await Post.select(Post.id).where(Post.parent == first).first())["id"]
    assert reply.headers["location"] == f"{h.base}/#post-{reply_id}"
    shown = (await client.get(f"{h.base}/posts")).text
    thread = shown[shown.index(f'id="post-{first}"') :]
    assert "一楼会挡光。" in thread and 'class="replies"' in thread


async def test_a_refused_post_keeps_the_text_with_a_chinese_message(client: AsyncTestClient):
    h = await hall()
    await sign_in(client, h.author)
    long = "很长" * 501
    page = await post_form(client, f"{h.base}/posts", {"stance": "for", "text": long})
    assert page.status_code == 422
    assert "<html" in page.text  # without JavaScript: the topic page, with the form again
    assert "最多 1000 个字，现在是 1002 个字。" in page.text
    assert f">{long}</textarea>" in page.text
    fragment = await post_form(
        client, f"{h.base}/posts", {"stance": "", "text": "我的意见"}, headers=HTMX
    )
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert "请选择您的态度：支持、反对、建议或其他。" in fragment.text
    assert ">我的意见</textarea>" in fragment.text
    assert await Post.count() == 0


async def test_a_double_tap_posts_once(side_by_side):
    h = await hall()
    async with side_by_side() as browser:
        await browser.get("/login")
        token = browser.cookies["csrftoken"]
        signed = await browser.post(
            "/login",
            data={"phone": h.author, "password": builders.PASSWORD, "_csrf_token": token},
        )
        assert signed.status_code == 303
        form = {"stance": "for", "text": "只发一次。", "_once": "k" * 22, "_csrf_token": token}
        answers = await asyncio.gather(
            *(browser.post(f"{h.base}/posts", data=form) for _ in range(6))
        )
    assert {a.status_code for a in answers} == {303}
    assert len({a.headers["location"] for a in answers}) == 1
    assert await Post.count() == 1


async def test_a_hidden_post_shows_its_reason_to_others_and_its_text_to_its_author(
    client: AsyncTestClient,
):
    h = await hall()
    post_id = await write(h, h.author_id, "加我微信 abc123")
    await sign_in(client, h.neighbour)
    reported = await post_form(client, f"{h.base}/posts/{post_id}/report", {"page": "1"})
    assert reported.status_code == 303
    assert "已举报" in (await client.get(f"{h.base}/posts")).text

    await sign_in(client, h.staff)
    staff_view = text_of((await client.get(f"{h.base}/posts")).text)
    assert "被举报 1 次，待处理" in staff_view
    refused = await post_form(
        client, f"{h.base}/posts/{post_id}/hide", {"reason": " ", "page": "1"}, headers=HTMX
    )
    assert refused.status_code == 422
    assert "请写明隐藏的理由，大家会看到它。" in refused.text
    hidden = await post_form(
        client, f"{h.base}/posts/{post_id}/hide", {"reason": "含有联系方式", "page": "1"}
    )
    assert hidden.status_code == 303

    await sign_in(client, h.neighbour)
    others = (await client.get(f"{h.base}/posts")).text
    assert "此条已隐藏：含有联系方式" in text_of(others)
    assert "abc123" not in others and "李**" not in others
    await sign_in(client, h.author)
    own = text_of((await client.get(f"{h.base}/posts")).text)
    assert "加我微信 abc123" in own
    assert "这条已隐藏，其他人只看到“此条已隐藏：含有联系方式”" in own
    await sign_in(client, h.staff)
    assert "李桂芳" in (await client.get(f"{h.base}/posts")).text

    await sign_in(client, h.neighbour)
    forbidden = await post_form(
        client, f"{h.base}/posts/{post_id}/unhide", {"page": "1"}, headers=HTMX
    )
    assert forbidden.status_code == 403
    assert "只有社区工作者和议事会成员可以恢复发言。" in forbidden.text


async def test_the_author_edits_within_ten_minutes_by_the_app_clock():
    h = await hall()
    clock = FixedClock(NOW)
    app = create_app(Settings.from_env(), clock=clock)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        client.follow_redirects = False
        await sign_in(client, h.author)
        await post_form(client, f"{h.base}/posts", {"stance": "for", "text": "南侧。"})
        post_id = (await Post.select(Post.id).first())["id"]
        assert "修改这条发言" in (await client.get(f"{h.base}/posts")).text
        clock.advance(minutes=9)
        edited = await post_form(client, f"{h.base}/posts/{post_id}/edit", {"text": "北侧。"})
        assert edited.status_code == 303
        assert edited.headers["location"] == f"{h.base}/#post-{post_id}"
        clock.advance(minutes=2)
        late = await post_form(
            client, f"{h.base}/posts/{post_id}/edit", {"text": "东侧。"}, headers=HTMX
        )
        assert late.status_code == 403
        assert "发言 10 分钟后就不能再修改了。如需更正，请再发一条说明。" in late.text
        shown = text_of((await client.get(f"{h.base}/posts")).text)
        assert "北侧。" in shown and "改过" in shown and "东侧" not in shown


async def test_script_in_posts_and_reasons_is_shown_as_text(client: AsyncTestClient):
    h = await hall()
    await write(h, h.neighbour_id, XSS + "\n第二行")
    hidden = await write(h, h.neighbour_id, "广告")
    await sign_in(client, h.staff)
    await post_form(client, f"{h.base}/posts/{hidden}/hide", {"reason": XSS[:90], "page": "1"})
    await sign_in(client, h.author)
    fragment = (await client.get(f"{h.base}/posts")).text
    long = await post_form(client, f"{h.base}/posts", {"stance": "for", "text": "长" * 1001})
    for html in (fragment, long.text):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
            in html
        )
    assert "<html" in long.text  # the topic page, with the posts in it


async def test_a_poll_with_nothing_new_is_a_small_304_in_three_queries(client: AsyncTestClient):
    h = await hall()
    await write(h, h.author_id, "第一条。")
    await sign_in(client, h.neighbour)
    first = await client.get(f"{h.base}/posts")
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get(f"{h.base}/posts", headers={"If-None-Match": tag, **HTMX})
    assert again.status_code == 304
    assert again.content == b""
    assert int(again.headers["x-query-count"]) <= 3
    header_bytes = sum(len(k) + len(v) + 4 for k, v in again.headers.items())
    assert header_bytes < 1024, again.headers

    await write(h, h.author_id, "第二条。")
    after = await client.get(f"{h.base}/posts", headers={"If-None-Match": tag, **HTMX})
    assert after.status_code == 200 and "第二条。" in after.text
    assert after.headers["etag"] != tag

    # Each kind of viewer has a tag of its own: the author sees their hidden text, staff names.
    tags = {"neighbour": after.headers["etag"]}
    await sign_in(client, h.author)
    tags["author"] = (await client.get(f"{h.base}/posts")).headers["etag"]
    await sign_in(client, h.staff)
    tags["staff"] = (await client.get(f"{h.base}/posts")).headers["etag"]
    client.cookies.clear()
    tags["visitor"] = (await client.get(f"{h.base}/posts")).headers["etag"]
    assert len(set(tags.values())) == 4
    assert (await client.get(f"{h.base}/posts?page=2")).headers["etag"] != tags["visitor"]


async def test_the_poll_is_right_across_two_workers():
    """Two app instances on one database, as two workers behind a proxy: a post made through
    one moves the tag the other answers with."""
    h = await hall()
    one, two = create_app(Settings.from_env()), create_app(Settings.from_env())
    async with (
        AsyncTestClient(app=one, base_url="http://testserver.local") as first,
        AsyncTestClient(app=two, base_url="http://testserver.local") as second,
    ):
        first.follow_redirects = second.follow_redirects = False
        await sign_in(first, h.neighbour)
        second.cookies = first.cookies  # the same browser, sent to either worker
        seen = await first.get(f"{h.base}/posts")
        tag = seen.headers["etag"]
        assert (
            await second.get(f"{h.base}/posts", headers={"If-None-Match": tag})
        ).status_code == 304
        await sign_in(second, h.author)
        await post_form(
            second, f"{h.base}/posts", {"stance": "against", "text": "从二号进程发的。"}
        )
        polled = await first.get(f"{h.base}/posts", headers={"If-None-Match": tag, **HTMX})
        assert polled.status_code == 200
        assert "从二号进程发的。" in polled.text


async def test_the_posts_cost_the_same_queries_for_five_posts_or_sixty(client: AsyncTestClient):
    h = await hall()
    ids = [await write(h, h.author_id, f"第{n}条。") for n in range(5)]
    await sign_in(client, h.neighbour)
    few = int((await client.get(f"{h.base}/posts")).headers["x-query-count"])
    for n in range(25):
        ids.append(await write(h, h.author_id, f"又一条{n}。"))
    for post_id in ids[:30]:
        await write(h, h.neighbour_id, "回复。", parent_id=post_id)
    many = await client.get(f"{h.base}/posts")
    assert int(many.headers["x-query-count"]) == few <= 5  # person, session, topic, posts ×2
    assert len(re.findall(r'<article class="post', many.text)) == 40  # 20 posts, 20 replies
    assert "第 1 / 2 页" in text_of(many.text)
    assert f'href="{h.base}/?page=2#posts"' in many.text
    assert "第 2 / 2 页" in text_of((await client.get(f"{h.base}/posts?page=2")).text)


async def test_a_topic_not_yet_accepted_has_no_posts_for_strangers(client: AsyncTestClient):
    h = await hall()
    proposer = await _viewer(h.author_id)
    proposed = await service.propose(
        proposer, h.topic["community"], service.TopicInput("修车棚", "车棚漏雨。"), NOW
    )
    await sign_in(client, h.neighbour)
    response = await client.get(f"/c/{h.slug}/hall/{proposed['id']}/posts")
    assert response.status_code == 404
    token = await csrf_token(client)
    posted = await client.post(
        f"/c/{h.slug}/hall/{proposed['id']}/posts",
        data={"stance": "for", "text": "看不见的议题。", "_csrf_token": token},
    )
    assert posted.status_code == 404
    assert await Post.count() == 0


async def test_a_page_of_a_hundred_posts_is_light_on_the_wire(client: AsyncTestClient):
    h = await hall()
    text = "我同意在北侧加装电梯，但希望施工时间避开午休，并且先公示费用分摊方案。"
    for n in range(20):
        top = await write(h, h.author_id, f"{n}：{text}")
        for _ in range(4):
            await write(h, h.neighbour_id, text, parent_id=top)
    for who in (h.neighbour, h.staff):
        await sign_in(client, who)
        response = await client.get(f"{h.base}/posts", headers={"Accept-Encoding": "br, gzip"})
        assert len(re.findall(r'<article class="post', response.text)) == 100
        assert response.num_bytes_downloaded <= 30 * 1024, (who, response.num_bytes_downloaded)


async def test_the_eleventh_post_in_ten_minutes_is_refused_with_the_text_kept(
    client: AsyncTestClient,
):
    h = await hall()
    await sign_in(client, h.author)
    for n in range(10):
        sent = await post_form(client, f"{h.base}/posts", {"stance": "for", "text": f"第{n}条"})
        assert sent.status_code == 303
    refused = await post_form(
        client, f"{h.base}/posts", {"stance": "idea", "text": "第十一条"}, headers=HTMX
    )
    assert refused.status_code == 429
    assert "发言太频繁了：10 分钟内最多发 10 条，请 10 分钟后再发。您写的内容还在。" in refused.text
    assert ">第十一条</textarea>" in refused.text
    assert 'value="idea" required checked' in refused.text
    assert await Post.count() == 10
    await sign_in(client, h.neighbour)  # per person: the neighbour still posts
    assert (
        await post_form(client, f"{h.base}/posts", {"stance": "for", "text": "我"})
    ).status_code == 303
