"""Pages many signed-in people see alike are rendered once for all of them
(civic/web/shared_views.py). Every such page, as every kind of person, must be exactly the page
that person gets when nothing is shared: their own header (unread messages), their own tokens,
nobody else's anything; and a change shows on the very next view."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import load_viewer
from civic.app import create_app
from civic.messages.service import tell
from civic.places import service as places
from civic.settings import Settings
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from civic.wishes import service as wishes
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders
from tests.builders import sign_in, text_of
from tests.conftest import ON_POSTGRES

NOW = datetime.now(UTC)
_TOKEN = re.compile(r'(?:"x-csrftoken": "|name="_csrf_token" value=")([^"]*)"')
_ONCE = re.compile(r'name="_once" value="([^"]*)"')


def _as_seen(html: str) -> str:
    """The page with this browser's own random values blanked (they differ between two apps)."""
    return _ONCE.sub('name="_once" value=""', _TOKEN.sub(lambda m: m[0].replace(m[1], ""), html))


@dataclasses.dataclass
class Place:
    slug: str
    street: int
    community: int
    stranger: int
    staff: int
    official: int
    public_case: str
    private_case: str
    people: dict[str, str]  # kind of person -> phone


@pytest.fixture
async def place() -> Place:
    street = await builders.street(await builders.district(), slug="liuyin")
    c = await builders.community(street, name="杏花社区")
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    resident_id, resident_phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    _, member_phone = await builders.person((Role.PARTY_MEMBER, c.id), name="高建华")
    helper_id, helper_phone = await builders.person((Role.PARTY_MEMBER, c.id), name="黄志远")
    official_id, official_phone = await builders.person((Role.STREET_OFFICIAL, street), name="陈静")
    _, admin_phone = await builders.person((Role.DISTRICT_ADMIN, 0), name="区管理员")
    stranger_id, stranger_phone = await builders.person(name="路过的人")
    told_id, told_phone = await builders.person((Role.RESIDENT, c.id), name="赵红")
    await tell([told_id], "您反映的事已受理。", "/me", NOW)
    await tell([told_id], "您的心愿已被认领。", "/me", NOW)

    hid = await wishes.report(helper_id, c.id, Helper.Kind.MEMBER, "黄志远")
    await Helper.update({Helper.status: Helper.Status.VERIFIED}).where(Helper.id == hid)
    staff, resident = await load_viewer(staff_id), await load_viewer(resident_id)
    wish = await wishes.submit_wish(
        resident, c.id, resident_id, "配一副老花镜", "", "助老", 80, NOW
    )
    await wishes.move(staff, wish, S.PUBLISHED, NOW)
    public = await cases.file_case(
        resident, c.id, category="环境卫生", text="三号楼楼道灯坏了", now=NOW
    )
    private = await cases.file_case(
        resident, c.id, category="邻里纠纷", text="楼上半夜有噪音", now=NOW, is_public=False
    )
    return Place(
        c.slug,
        street,
        c.id,
        stranger_id,
        staff_id,
        official_id,
        public,
        private,
        {
            "resident": resident_phone,
            "party member": member_phone,
            "verified helper": helper_phone,
            "staff": staff_phone,
            "street official": official_phone,
            "district admin": admin_phone,
            "no role": stranger_phone,
            "unread messages": told_phone,
        },
    )


@dataclasses.dataclass(frozen=True)
class Page:
    path: str
    headers: dict[str, str]
    served_to: int
    """How many of the eight people are served the kept page: all but the first to look,
    and those the page is their own for."""
    cost: int
    """Its SQL when served: the session, read with the data version; the person, on the first
    page they look at (kept after that, while nothing changes: civic/kept.py); and what the
    route asks first to know whether the page is the person's own."""


def _pages(place: Place) -> list[Page]:
    slug = place.slug
    board = f"/c/{slug}/suggestions/"
    fragment = {"HX-Request": "true", "HX-Target": "board"}
    return [
        Page("/", {}, 7, 2),  # each person's first page: their person is read
        Page(f"/c/{slug}/", {}, 7, 1),
        Page(board, {}, 7, 1),
        Page(f"{board}?status=submitted&category=环境卫生", {}, 7, 1),
        Page(f"{board}?page=2", {}, 7, 1),
        Page(f"{board}?status=submitted", fragment, 7, 1),
        Page(board, {"HX-Request": "true", "HX-Boosted": "true"}, 7, 1),
        Page(f"{board}report", {}, 7, 1),
        # The helper's tree is their own; whether a person is a helper is looked up first,
        # then kept.
        Page(f"/c/{slug}/wishes/", {}, 6, 2),
        Page(f"/c/{slug}/wishes/?category=助老", {}, 6, 1),
        # The filer's and the community staff's; the party member is the first of the rest.
        Page(f"/s/{place.public_case}", {}, 5, 2),
        # Anyone but its filer and staff is offered a form to prove they filed it: each is
        # sent it with their own browser's token.
        Page(f"/s/{place.private_case}", {}, 5, 2),
    ]


@pytest.fixture
async def browsers(app: Litestar, place: Place) -> AsyncIterator[dict[str, AsyncTestClient]]:
    """A browser for each kind of person, all signed in before any of them looks at a page
    (signing in is a write, and a write makes every kept page new)."""
    async with contextlib.AsyncExitStack() as stack:
        yield await _signed_in(app, place.people, stack)


@pytest.fixture
async def own_pages(place: Place) -> AsyncIterator[dict[str, AsyncTestClient]]:
    """The same browsers on the same site with nothing shared: each page made for its viewer."""
    app: Litestar = create_app(dataclasses.replace(Settings.from_env(), page_cache_mb=0))
    async with contextlib.AsyncExitStack() as stack:
        yield await _signed_in(app, place.people, stack)


async def _signed_in(
    app: Litestar, people: dict[str, str], stack: contextlib.AsyncExitStack
) -> dict[str, AsyncTestClient]:
    signed_in = {}
    for kind, phone in people.items():
        client = AsyncTestClient(app=app, base_url="http://testserver.local")
        client.follow_redirects = False
        await sign_in(await stack.enter_async_context(client), phone)
        signed_in[kind] = client
    return signed_in


async def test_every_shared_page_is_the_persons_own_page(browsers, own_pages, place):
    pages = _pages(place)
    onces: list[str] = []
    served = dict.fromkeys(range(len(pages)), 0)
    # Each person in turn: the first fills what is kept, the rest are served it.
    for kind, client in browsers.items():
        for n, page in enumerate(pages):
            shared = await client.get(page.path, headers=page.headers)
            own = await own_pages[kind].get(page.path, headers=page.headers)
            where = f"{page.path} {page.headers} as {kind}"
            assert shared.status_code == own.status_code == 200, where
            assert _as_seen(shared.text) == _as_seen(own.text), where
            assert "x-csrftoken" in shared.text or "HX-Target" in page.headers, where
            token = client.cookies.get("csrftoken")
            assert {m[1] for m in _TOKEN.finditer(shared.text)} <= {token}, where
            onces += _ONCE.findall(shared.text)
            served[n] += int(shared.headers["x-query-count"]) == page.cost
    assert len(onces) == len(set(onces))  # no one-time key was ever sent twice
    if not ON_POSTGRES:  # there, other test workers' commits move the version at any time
        assert served == {n: page.served_to for n, page in enumerate(pages)}


async def test_each_person_sees_their_own_header_and_the_helper_their_own_tree(browsers, place):
    tree = f"/c/{place.slug}/wishes/"
    await browsers["resident"].get(tree)
    told = text_of((await browsers["unread messages"].get(tree)).text)
    assert "消息（2 条新）" in told and "随手帮一个" not in told
    helper = text_of((await browsers["verified helper"].get(tree)).text)
    assert "随手帮一个" in helper and "消息（" not in helper
    stranger = text_of((await browsers["no role"].get(tree)).text)
    assert "随手帮一个" not in stranger and "我是党员，报到认领" in stranger
    assert "消息（" not in stranger


async def test_a_change_shows_on_the_very_next_signed_in_view(client, place):
    board = f"/c/{place.slug}/suggestions/"
    await sign_in(client, place.people["no role"])
    await client.get(board)
    assert "五号楼门口积水" not in text_of((await client.get(board)).text)
    await cases.file_case(
        None, place.community, category="环境卫生", text="五号楼门口积水", now=NOW
    )
    assert "五号楼门口积水" in text_of((await client.get(board)).text)
    assert "消息（" not in text_of((await client.get(board)).text)
    await tell([place.stranger], "您反映的事已受理。", "/me", NOW)
    assert "消息（1 条新）" in text_of((await client.get(board)).text)


async def test_a_person_made_a_helper_sees_the_helpers_tree_on_the_next_view(client, place):
    tree = f"/c/{place.slug}/wishes/"
    phone = place.people["party member"]
    await sign_in(client, phone)
    for _ in range(2):  # looked up, then kept: not a helper
        assert "随手帮一个" not in text_of((await client.get(tree)).text)
    person = await Person.select(Person.id).where(Person.phone == phone).first()
    hid = await wishes.report(person["id"], place.community, Helper.Kind.MEMBER, "高建华")
    await Helper.update({Helper.status: Helper.Status.VERIFIED}).where(Helper.id == hid)
    assert "随手帮一个" in text_of((await client.get(tree)).text)


async def test_a_second_persons_view_is_served_what_the_first_one_filled(client, app, place):
    board = f"/c/{place.slug}/suggestions/"
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        other.follow_redirects = False
        await sign_in(other, place.people["staff"])
        await sign_in(client, place.people["resident"])  # both signed in before either looks
        for _ in range(1 if not ON_POSTGRES else 30):  # other workers' commits move the version
            own = int((await client.get(board)).headers["x-query-count"])
            served = int((await other.get(board)).headers["x-query-count"])
            if served == 2:
                break
    # The session with the data version, then the person: none of the board's own queries.
    assert served == 2 < own or (ON_POSTGRES and served <= own)


async def test_a_desks_queue_is_each_staff_members_own_page(app, place):
    """Every community staff member, street official or department officer sees their desk's
    queue alike, with their own token and a new one-time key in each row's form; a party
    representative's mailbox is their own."""
    staff = await load_viewer(place.staff)
    official = await load_viewer(place.official)
    department = await places.create_department("区城管委", "chengguan")
    for text in ("北门路灯不亮", "井盖松了", "小区门口占道经营"):
        code = await cases.file_case(None, place.community, category="环境卫生", text=text, now=NOW)
        if text != "北门路灯不亮":
            await cases.act(staff, code, Verb.ESCALATE, NOW, note="需要街道协调")
        if text == "小区门口占道经营":
            await cases.act(official, code, Verb.TAKE, NOW)
            await cases.act(
                official, code, Verb.ESCALATE, NOW, note="请城管处理", department_id=department
            )
    roles = {
        "staff": (Role.COMMUNITY_STAFF, place.community),
        "official": (Role.STREET_OFFICIAL, place.street),
        "officer": (Role.DEPARTMENT_STAFF, department),
        "representative": (Role.PARTY_REPRESENTATIVE, place.community),
    }
    desks = {
        f"/staff/c/{place.slug}/suggestions/": ("staff", "北门路灯不亮"),
        "/staff/street/liuyin/suggestions/": ("official", "井盖松了"),
        "/staff/department/chengguan/suggestions/": ("officer", "小区门口占道经营"),
        f"/staff/c/{place.slug}/suggestions/#mailbox": ("representative", "没有待办的事"),
    }
    people = {
        f"{role} {n}": (await builders.person(roles[role], name=f"{role}{n}"))[1]
        for role in roles
        for n in (1, 2)
    }
    unshared = create_app(dataclasses.replace(Settings.from_env(), page_cache_mb=0))
    async with contextlib.AsyncExitStack() as stack:
        shared_browsers = await _signed_in(app, people, stack)
        own_browsers = await _signed_in(unshared, people, stack)
        onces: list[str] = []
        for desk, (role, text) in desks.items():
            path = desk.split("#")[0]
            for n in (1, 2):
                kind = f"{role} {n}"
                shared = await shared_browsers[kind].get(path)
                own = await own_browsers[kind].get(path)
                assert shared.status_code == own.status_code == 200, (desk, kind)
                assert text in text_of(shared.text), (desk, kind)
                assert _as_seen(shared.text) == _as_seen(own.text), (desk, kind)
                token = shared_browsers[kind].cookies.get("csrftoken")
                assert {m[1] for m in _TOKEN.finditer(shared.text)} == {token}, (desk, kind)
                onces += _ONCE.findall(shared.text)
    assert len(onces) == len(set(onces)) > 0
    # One rendering kept for each desk, none for the mailboxes, which are each one's own.
    assert len(app.state.shared_views.cache) == 3
