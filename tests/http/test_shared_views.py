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
from civic.accounts.viewer import load_viewer
from civic.app import create_app
from civic.messages.service import tell
from civic.settings import Settings
from civic.suggestions import service as cases
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
    people: dict[str, str]  # kind of person -> phone


@pytest.fixture
async def place() -> Place:
    street = await builders.street(await builders.district())
    c = await builders.community(street, name="杏花社区")
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    resident_id, resident_phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    _, member_phone = await builders.person((Role.PARTY_MEMBER, c.id), name="高建华")
    helper_id, helper_phone = await builders.person((Role.PARTY_MEMBER, c.id), name="黄志远")
    _, official_phone = await builders.person((Role.STREET_OFFICIAL, street), name="陈静")
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
    await cases.file_case(resident, c.id, category="环境卫生", text="三号楼楼道灯坏了", now=NOW)
    return Place(
        c.slug,
        street,
        c.id,
        stranger_id,
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


def _paths(slug: str) -> list[tuple[str, dict[str, str]]]:
    htmx = {"HX-Request": "true", "HX-Target": "board"}
    return [
        ("/", {}),
        (f"/c/{slug}/", {}),
        (f"/c/{slug}/suggestions/", {}),
        (f"/c/{slug}/suggestions/?status=submitted&category=环境卫生", {}),
        (f"/c/{slug}/suggestions/?page=2", {}),
        (f"/c/{slug}/suggestions/?status=submitted", htmx),
        (f"/c/{slug}/suggestions/", {"HX-Request": "true", "HX-Boosted": "true"}),
        (f"/c/{slug}/suggestions/report", {}),
        (f"/c/{slug}/wishes/", {}),
        (f"/c/{slug}/wishes/?category=助老", {}),
    ]


@pytest.fixture
async def browsers(app: Litestar, place: Place) -> AsyncIterator[dict[str, AsyncTestClient]]:
    """A browser for each kind of person, all signed in before any of them looks at a page
    (signing in is a write, and a write makes every kept page new)."""
    async with contextlib.AsyncExitStack() as stack:
        yield await _signed_in(app, place, stack)


@pytest.fixture
async def own_pages(place: Place) -> AsyncIterator[dict[str, AsyncTestClient]]:
    """The same browsers on the same site with nothing shared: each page made for its viewer."""
    app: Litestar = create_app(dataclasses.replace(Settings.from_env(), page_cache_mb=0))
    async with contextlib.AsyncExitStack() as stack:
        yield await _signed_in(app, place, stack)


async def _signed_in(
    app: Litestar, place: Place, stack: contextlib.AsyncExitStack
) -> dict[str, AsyncTestClient]:
    signed_in = {}
    for kind, phone in place.people.items():
        client = AsyncTestClient(app=app, base_url="http://testserver.local")
        client.follow_redirects = False
        await sign_in(await stack.enter_async_context(client), phone)
        signed_in[kind] = client
    return signed_in


async def test_every_shared_page_is_the_persons_own_page(browsers, own_pages, place):
    paths = _paths(place.slug)
    onces: list[str] = []
    served = 0
    # Each person in turn: the first fills what is kept, the rest are served it.
    for kind, client in browsers.items():
        for path, headers in paths:
            shared = await client.get(path, headers=headers)
            own = await own_pages[kind].get(path, headers=headers)
            where = f"{path} {headers} as {kind}"
            assert shared.status_code == own.status_code == 200, where
            assert _as_seen(shared.text) == _as_seen(own.text), where
            assert "x-csrftoken" in shared.text or "HX-Target" in headers, where
            token = client.cookies.get("csrftoken")
            assert {m[1] for m in _TOKEN.finditer(shared.text)} <= {token}, where
            onces += _ONCE.findall(shared.text)
            # The session, the person, the version; the tree first asks (community, helper)
            # whether the page is the person's own.
            cost = 5 if "/wishes/" in path else 3
            served += int(shared.headers["x-query-count"]) == cost
    assert len(onces) == len(set(onces))  # no one-time key was ever sent twice
    if not ON_POSTGRES:  # there, other test workers' commits move the version at any time
        # All but the first person were served what it filled, but on the helper's own tree.
        assert served == (len(browsers) - 1) * len(paths) - 2


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


async def test_a_second_persons_view_is_served_what_the_first_one_filled(client, app, place):
    board = f"/c/{place.slug}/suggestions/"
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        other.follow_redirects = False
        await sign_in(other, place.people["staff"])
        await sign_in(client, place.people["resident"])  # both signed in before either looks
        for _ in range(1 if not ON_POSTGRES else 30):  # other workers' commits move the version
            own = int((await client.get(board)).headers["x-query-count"])
            served = int((await other.get(board)).headers["x-query-count"])
            if served == 3:
                break
    # The session, the person, the data version: none of the board's own queries.
    assert served == 3 < own
