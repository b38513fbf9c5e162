"""Staff pages that show what to do: the queues name the community a case is from and filter by
it, a case's page offers the steps that make sense now first and the rest behind 更多操作, a
step that loses something asks once more (with JavaScript off too), every step is followed by
a sentence saying what happened, and a staff report's case codes are links."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.places import service as places
from civic.suggestions import service as cases
from civic.suggestions.tables import Case
from civic.suggestions.workflow import Verb
from civic.wishes import service as wishes
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import S
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime.now(UTC)


async def _viewer(*roles: tuple[Role, int], name: str = "张三丰") -> tuple[Viewer, str]:
    person_id, phone = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found, phone


@pytest.fixture
async def world() -> dict:
    """A street of two communities, each with staff; the street's official; a department."""
    street = await builders.street(await builders.district(), slug="liuyin", name="柳荫街道")
    xinghua = await builders.community(street, slug="xinghua", name="杏花社区")
    huaishu = await builders.community(street, slug="huaishu", name="槐树里社区")
    department = await places.create_department("区城管委", "chengguan")
    staff, staff_phone = await _viewer((Role.COMMUNITY_STAFF, xinghua.id), name="王秀兰")
    other, _ = await _viewer((Role.COMMUNITY_STAFF, huaishu.id), name="刘志强")
    official, official_phone = await _viewer((Role.STREET_OFFICIAL, street), name="陈静")
    officer, officer_phone = await _viewer((Role.DEPARTMENT_STAFF, department), name="赵刚")
    return {
        "xinghua": xinghua,
        "huaishu": huaishu,
        "department": department,
        "staff": staff,
        "staff_phone": staff_phone,
        "other": other,
        "official": official,
        "official_phone": official_phone,
        "officer": officer,
        "officer_phone": officer_phone,
    }


async def _case(community_id: int, text: str = "北门垃圾桶满了三天没人清", **more) -> str:
    return await cases.file_case(
        None, community_id, category="环境卫生", text=text, now=NOW, is_public=True, **more
    )


def _once_key(html: str) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', html)
    assert found, "the form carries a one-time key"
    return found.group(1)


def _before_more(html: str) -> str:
    """The part of a case's page above the 更多操作 disclosure."""
    return html.split("<details", 1)[0]


def _more(html: str) -> str:
    found = re.search(r"<details.*?</details>", html, re.S)
    assert found, "the page has a 更多操作 disclosure"
    return found.group(0)


# The queues ----------------------------------------------------------------------------------


async def test_street_and_department_queues_name_the_community_and_filter_by_it(client, world):
    xinghua, huaishu = world["xinghua"], world["huaishu"]
    ours = await _case(xinghua.id, "杏花：北门路灯不亮")
    theirs = await _case(huaishu.id, "槐树里：井盖松了")
    await cases.act(world["staff"], ours, Verb.ESCALATE, NOW, note="路灯归街道管")
    await cases.act(world["other"], theirs, Verb.ESCALATE, NOW, note="井盖需要市政")

    await sign_in(client, world["official_phone"])
    url = "/staff/street/liuyin/suggestions/"
    page = await client.get(url)
    assert page.status_code == 200
    row = re.search(rf'<li class="queue-row" id="case-{ours}".*?</li>', page.text, re.S)
    assert row and "杏花社区" in row.group(0)
    row = re.search(rf'<li class="queue-row" id="case-{theirs}".*?</li>', page.text, re.S)
    assert row and "槐树里社区" in row.group(0)
    # The filter lists the communities the desk has cases from.
    assert 'name="community"' in page.text
    assert f'<option value="{xinghua.id}">杏花社区</option>' in page.text
    assert 'href="/staff/street/liuyin/suggestions/report"' in page.text

    only = await client.get(url, params={"community": str(xinghua.id)})
    assert only.status_code == 200
    assert f'id="case-{ours}"' in only.text and f'id="case-{theirs}"' not in only.text
    assert f'<option value="{xinghua.id}" selected>' in only.text
    assert f'href="{url}"' in only.text  # back to every community
    for bad in ("abc", "-1", str(10**20)):
        refused = await client.get(url, params={"community": bad})
        assert refused.status_code == 400, bad

    # On to a department: its desk names the community too, and filters by it.
    await cases.act(world["official"], theirs, Verb.TAKE, NOW)
    await cases.act(
        world["official"],
        theirs,
        Verb.ESCALATE,
        NOW,
        note="请城管处理",
        department_id=world["department"],
    )
    client.cookies.clear()
    await sign_in(client, world["officer_phone"])
    desk = await client.get("/staff/department/chengguan/suggestions/")
    row = re.search(rf'<li class="queue-row" id="case-{theirs}".*?</li>', desk.text, re.S)
    assert row and "槐树里社区" in row.group(0)
    none = await client.get(
        "/staff/department/chengguan/suggestions/", params={"community": str(xinghua.id)}
    )
    assert f'id="case-{theirs}"' not in none.text and "这个社区没有待办的事" in none.text


async def test_the_community_queue_links_its_report_and_does_not_repeat_its_name(client, world):
    xinghua = world["xinghua"]
    code = await _case(xinghua.id)
    await sign_in(client, world["staff_phone"])
    page = await client.get(f"/staff/c/{xinghua.slug}/suggestions/")
    assert f'href="/staff/c/{xinghua.slug}/suggestions/report"' in page.text
    row = re.search(rf'<li class="queue-row" id="case-{code}".*?</li>', page.text, re.S)
    assert row and "杏花社区 ·" not in row.group(0)
    assert 'name="community"' not in page.text


# A case's page -------------------------------------------------------------------------------


async def test_community_staff_see_the_step_to_take_first_and_the_rest_behind_more(client, world):
    xinghua = world["xinghua"]
    code = await _case(xinghua.id)
    await sign_in(client, world["staff_phone"])
    page = (await client.get(f"/s/{code}")).text
    first = _before_more(page)
    assert 'name="verb" value="accept"' in first
    for later in ("reply", "escalate", "reject", "merge"):
        assert f'value="{later}"' not in first, later
    more = _more(page)
    assert "更多操作" in more
    assert 'name="verb" value="reply"' in more and 'name="verb" value="escalate"' in more
    # 不予受理 loses the case: a link to the page that asks once more, not the step itself.
    assert f'href="/s/{code}/confirm?step=reject"' in more
    assert 'name="verb" value="reject"' not in page

    await cases.act(world["staff"], code, Verb.ACCEPT, NOW)
    await cases.act(world["staff"], code, Verb.START, NOW)
    page = (await client.get(f"/s/{code}")).text
    assert 'name="verb" value="answer"' in _before_more(page)
    # The community is the first desk: there is no one to hand a case back to.
    assert "hand_back" not in page and "退回并指导" not in page


async def test_the_street_takes_first_and_may_hand_back_but_not_reject(client, world):
    code = await _case(world["xinghua"].id)
    await cases.act(world["staff"], code, Verb.ESCALATE, NOW, note="需要街道协调")
    await sign_in(client, world["official_phone"])
    page = (await client.get(f"/s/{code}")).text
    assert 'name="verb" value="take"' in _before_more(page)
    assert 'name="verb" value="hand_back"' in _more(page)
    await cases.act(world["official"], code, Verb.TAKE, NOW)
    page = (await client.get(f"/s/{code}")).text
    first, more = _before_more(page), _more(page)
    assert 'name="verb" value="answer"' in first and "hand_back" not in first
    assert 'name="verb" value="hand_back"' in more and 'name="verb" value="escalate"' in more
    assert "reject" not in page and "merge" not in page  # the service would refuse them here
    assert "区城管委" in more  # the departments the street may summon


async def test_rejecting_asks_once_more_and_nothing_happens_until_confirmed(client, world):
    xinghua = world["xinghua"]
    code = await _case(xinghua.id)
    await sign_in(client, world["staff_phone"])
    url = f"/s/{code}/confirm?step=reject"
    asked = await client.get(url)
    assert asked.status_code == 200 and "<html" in asked.text
    words = text_of(asked.text)
    assert "确定要“不予受理”吗？" in words and "这件事就此关闭" in words
    assert f'action="/s/{code}/act"' in asked.text and 'name="verb" value="reject"' in asked.text
    assert 'name="_csrf_token"' in asked.text and 'name="note"' in asked.text
    assert f'href="/s/{code}"' in asked.text  # a way back
    assert (await Case.select(Case.status).first())["status"] == Case.Status.SUBMITTED

    # With htmx the same section comes alone, to appear in place and take the focus.
    fragment = await client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "data-focus-after-swap" in fragment.text and 'value="reject"' in fragment.text
    assert (await Case.select(Case.status).first())["status"] == Case.Status.SUBMITTED

    done = await post_form(
        client,
        f"/s/{code}/act",
        {
            "verb": "reject",
            "note": "这属于物业的事，请联系物业服务中心",
            "_once": _once_key(asked.text),
        },
    )
    assert done.status_code == 303 and done.headers["location"] == f"/s/{code}"
    assert (await Case.select(Case.status).first())["status"] == Case.Status.REJECTED
    page = await client.get(f"/s/{code}")
    notice = re.search(r'<p class="notice" role="status">([^<]*)</p>', page.text)
    assert notice and "不予受理" in notice.group(1)
    again = await client.get(f"/s/{code}")  # said once
    assert 'role="status">已决定不予受理' not in again.text
    # Asked again now, the step cannot be taken: the page says so rather than asking.
    assert (await client.get(url)).status_code == 409


async def test_merging_asks_once_more_with_the_code_of_the_original(client, world):
    xinghua = world["xinghua"]
    original, code = await _case(xinghua.id), await _case(xinghua.id, "北门垃圾桶又满了")
    await sign_in(client, world["staff_phone"])
    asked = await client.get(f"/s/{code}/confirm?step=merge")
    assert asked.status_code == 200 and "到原案件里一起办理" in text_of(asked.text)
    assert 'name="original"' in asked.text and 'name="verb" value="merge"' in asked.text
    done = await post_form(
        client,
        f"/s/{code}/act",
        {"verb": "merge", "original": original, "_once": _once_key(asked.text)},
    )
    assert done.status_code == 303
    assert 'role="status">已合并到原案件。</p>' in (await client.get(f"/s/{code}")).text


async def test_only_staff_who_may_take_the_step_are_asked(client, world):
    code = await _case(world["xinghua"].id)
    url = f"/s/{code}/confirm?step=reject"
    assert (await client.get(url)).status_code == 403  # a visitor
    await sign_in(client, world["staff_phone"])
    assert (await client.get(f"/s/{code}/confirm?step=accept")).status_code == 400
    assert (await client.get(f"/s/{code}/confirm?step=nonsense")).status_code == 400
    plain = await client.get(f"/s/{code}/confirm")
    assert plain.status_code == 303 and plain.headers["location"] == f"/s/{code}"
    await cases.act(world["staff"], code, Verb.ESCALATE, NOW, note="需要街道协调")
    client.cookies.clear()
    await sign_in(client, world["official_phone"])
    assert (await client.get(url)).status_code == 409  # the street does not reject


async def test_each_step_is_followed_by_what_happened(client, world):
    xinghua = world["xinghua"]
    code = await _case(xinghua.id)
    await sign_in(client, world["staff_phone"])
    queue = f"/staff/c/{xinghua.slug}/suggestions/"
    # Without JavaScript, from the queue: back to the queue, which says what was done, once.
    plain = await post_form(client, f"/s/{code}/act", {"verb": "accept", "next": queue})
    assert plain.status_code == 303 and plain.headers["location"] == queue
    page = await client.get(queue)
    assert '<p class="notice" role="status">已受理。</p>' in page.text
    assert "已受理。</p>" not in (await client.get(queue)).text
    # With htmx, the row comes back saying it, marked to take the focus.
    row = await post_form(
        client,
        f"/s/{code}/act",
        {"verb": "start", "next": queue},
        headers={"HX-Request": "true", "HX-Target": f"case-{code}"},
    )
    assert row.status_code == 200 and "<html" not in row.text
    assert 'role="status">已开始办理。</p>' in row.text
    assert re.search(rf'<li class="queue-row" id="case-{code}" data-focus-after-swap', row.text)
    # On the case's own page.
    reply = await post_form(client, f"/s/{code}/act", {"verb": "reply", "note": "明天上午来修"})
    assert reply.headers["location"] == f"/s/{code}"
    assert 'role="status">已回复。</p>' in (await client.get(f"/s/{code}")).text


async def test_a_visitor_reading_a_case_gets_no_session(client, world):
    code = await _case(world["xinghua"].id)
    page = await client.get(f"/s/{code}")
    assert page.status_code == 200 and "session" not in page.cookies


# Wishes and helpers --------------------------------------------------------------------------


async def test_giving_up_a_claim_asks_once_more_then_says_it_is_done(client, world):
    xinghua, staff = world["xinghua"], world["staff"]
    owner, _ = await _viewer((Role.RESIDENT, xinghua.id), name="李桂芳")
    member, member_phone = await _viewer((Role.PARTY_MEMBER, xinghua.id), name="黄志远")
    helper = await wishes.report(member.id, xinghua.id, Helper.Kind.MEMBER, "黄志远")
    await wishes.decide_report(staff, helper, True, NOW)
    wish_id = await wishes.submit_wish(owner, xinghua.id, owner.id, "配老花镜", "", "助老", 80, NOW)
    await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
    await sign_in(client, member_phone)
    base = f"/c/{xinghua.slug}/wishes/{wish_id}/"
    claimed = await post_form(client, f"{base}claim", {})
    assert claimed.status_code == 303
    page = (await client.get(base)).text
    assert "认领好了" in page
    assert 'name="step" value="fulfil"' in _before_more(page)
    more = _more(page)
    assert "更多操作" in more and f'href="{base}?step=release"' in more
    assert 'name="step" value="release"' not in page

    asked = await client.get(f"{base}?step=release")
    assert asked.status_code == 200
    words = text_of(asked.text)
    assert "确定要“放弃认领”吗？" in words and "回到心愿树上" in words
    assert 'name="to" value="published"' in asked.text and 'name="_csrf_token"' in asked.text
    assert 'value="fulfil"' not in asked.text  # the page asks one thing
    assert (await Wish.select(Wish.status).first())["status"] == S.CLAIMED

    done = await post_form(client, f"{base}move", {"to": "published", "step": "release"})
    assert done.status_code == 303 and done.headers["location"] == base
    assert (await Wish.select(Wish.status).first())["status"] == S.PUBLISHED
    assert 'role="status">已放弃认领。</p>' in (await client.get(base)).text
    assert (await client.get(f"{base}?step=release")).status_code in (403, 409)
    assert (await client.get(f"{base}?step=claim")).status_code == 400


async def test_withdrawing_a_wish_asks_once_more(client, world):
    xinghua = world["xinghua"]
    _owner, owner_phone = await _viewer((Role.RESIDENT, xinghua.id), name="李桂芳")
    await sign_in(client, owner_phone)
    posted = await post_form(
        client,
        f"/c/{xinghua.slug}/wishes/new",
        {"title": "修理厨房水龙头", "category": "维修", "value_yuan": "80"},
    )
    base = posted.headers["location"]
    page = (await client.get(base)).text
    assert "心愿已提交" in page  # what the page says after posting
    assert f'href="{base}?step=withdraw"' in _more(page)
    asked = await client.get(f"{base}?step=withdraw")
    assert "不再显示在心愿树上" in text_of(asked.text)
    assert (await Wish.select(Wish.status).first())["status"] == S.SUBMITTED
    await post_form(client, f"{base}move", {"to": "withdrawn", "step": "withdraw"})
    assert (await Wish.select(Wish.status).first())["status"] == S.WITHDRAWN
    assert 'role="status">已撤回心愿。</p>' in (await client.get(base)).text


async def test_revoking_a_report_asks_once_more_then_says_it_is_done(client, world):
    xinghua, staff = world["xinghua"], world["staff"]
    member, _ = await _viewer((Role.PARTY_MEMBER, xinghua.id), name="高建华")
    helper = await wishes.report(member.id, xinghua.id, Helper.Kind.MEMBER, "高建华")
    await wishes.decide_report(staff, helper, True, NOW)
    pending_member, _ = await _viewer((Role.PARTY_MEMBER, xinghua.id), name="赵红")
    pending = await wishes.report(pending_member.id, xinghua.id, Helper.Kind.MEMBER, "赵红")
    await sign_in(client, world["staff_phone"])
    desk = f"/staff/c/{xinghua.slug}/wishes/"
    page = await client.get(desk)
    confirm = f"{desk}reports/{helper}/revoke"
    assert f'href="{confirm}"' in page.text

    asked = await client.get(confirm)
    assert asked.status_code == 200
    words = text_of(asked.text)
    assert "确定要撤销 高建华 的报到吗？" in words and "回到心愿树上" in words
    assert f'action="{desk}reports/{helper}"' in asked.text and 'name="reason"' in asked.text
    assert (await Helper.select(Helper.status).where(Helper.id == helper).first())[
        "status"
    ] == Helper.Status.VERIFIED

    done = await post_form(
        client,
        f"{desk}reports/{helper}",
        {"decision": "reject", "step": "revoke", "reason": "已调离本社区"},
    )
    assert done.status_code == 303 and done.headers["location"] == desk
    assert (await Helper.select(Helper.status).where(Helper.id == helper).first())[
        "status"
    ] == Helper.Status.REVOKED
    assert 'role="status">已撤销报到' in (await client.get(desk)).text
    # Nothing to revoke: a report not verified, or revoked already.
    assert (await client.get(f"{desk}reports/{pending}/revoke")).status_code == 404
    assert (await client.get(confirm)).status_code == 404


# Reports -------------------------------------------------------------------------------------


async def test_case_codes_in_staff_reports_are_links_and_not_in_the_public_report(client, world):
    xinghua = world["xinghua"]
    code = await _case(xinghua.id)
    await cases.act(world["staff"], code, Verb.ESCALATE, NOW, note="需要街道协调")
    public = await client.get(f"/c/{xinghua.slug}/suggestions/report")
    assert public.status_code == 200 and 'href="/s/' not in public.text
    await sign_in(client, world["staff_phone"])
    staff = await client.get(f"/staff/c/{xinghua.slug}/suggestions/report")
    assert f'<a href="/s/{code}">' in staff.text
    client.cookies.clear()
    await sign_in(client, world["official_phone"])
    street = await client.get("/staff/street/liuyin/suggestions/report")
    assert f'<a href="/s/{code}">' in street.text
