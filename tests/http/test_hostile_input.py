"""No input gives a 500: every route of the app, each parameter it reads, each hostile value,
as each kind of person.

The routes are read from the app (`app.routes`), so a new feature's pages are tried as soon as
they are mounted. The parameters of a route are its path parameters, the query parameters its
handler declares, and the form fields it reads: those drawn in the forms of the pages that post
to it, and those its handler's source asks the form for. A bad value may be refused (a 4xx page
in Chinese, or the form again); it may never break the site."""

from __future__ import annotations

import inspect
import itertools
import logging
import re
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from httpx import Response
from litestar import Litestar
from litestar.constants import RESERVED_KWARGS
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from piccolo.columns import Varchar

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.tables import Membership
from civic.accounts.viewer import load_viewer
from civic.app import create_app
from civic.hall import posts as hall_posts
from civic.hall import service as hall
from civic.hall.tables import Topic
from civic.hall.workflow import Verb as HallVerb
from civic.piccolo_conf import APP_REGISTRY
from civic.places import service as places
from civic.settings import Settings
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from civic.web.clock import LOCAL_TZ
from civic.web.static import static_url
from civic.wishes import service as wishes
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import S
from tests import builders
from tests.builders import PASSWORD

NOW = datetime.now(UTC)

HOSTILE: dict[str, str | list[str]] = {
    "empty": "",
    "huge number": str(10**20),
    "negative": "-1",
    "NUL": "a\x00b",
    "full-width digits": "２０２６",
    "right-to-left override": "\u202e李四",
    "zero-width space": "王\u200b五",
    "long text": "字" * 10_000,
    "letters": "abc",
    "a list": ["1", "2"],  # the field sent twice
    "a month far ahead": "9999-12",
    "a month before time": "0001-01",
}


def _one_past_each_column() -> dict[str, str]:
    """One character more than each text column holds: what PostgreSQL refuses and SQLite
    keeps, unless the form's declaration or a rule stops it first."""
    lengths = {
        column.length
        for app in APP_REGISTRY.app_configs.values()
        for table in app.table_classes
        for column in table._meta.columns
        if isinstance(column, Varchar)
    }
    # Shorter columns hold codes and choices, which every form checks against a list.
    return {f"{n + 1} characters": "字" * (n + 1) for n in sorted(lengths) if n >= 20}


ONE_PAST = _one_past_each_column()
"""Tried on every form field by the last of EVERYTHING."""
FEW = ("huge number", "long text")
"""What the people not tried with everything are tried with: what overflows a column. (NUL is
refused in one place for everyone alike, and is tried by the others.)"""
IN_ADDRESS = 1_500
"""Long text in a path or query is cut to this: a longer address (past 16 KB, URL-encoded) is
refused by the HTTP server before the site sees it."""

EVERYTHING = ("visitor", "staff")
"""The people tried with every value on every parameter they may use: between them they reach
every form. The last is also tried with one character past each column on every form field."""
PEOPLE = (
    "visitor",
    "resident",
    "party member",
    "staff",
    "street official",
    "department",
    "admin",
)

SESSION_COOKIES: dict[str, dict[str, str]] = {
    "an overlong session cookie": {"session": "a" * 8000},
    "a garbage session cookie": {"session": "not-hex!%00%E2%80%AE'<>"},
    "an unknown session id": {"session": "0" * 64},
}
"""Tried on every page; and a garbage CSRF cookie on every form."""
CSRF_COOKIE = {"csrftoken": "x" * 5000}

SAMPLES = {
    "password": PASSWORD,
    "password2": PASSWORD,
    "name": "王秀英",
    "title": "修理厨房水龙头",
    "description": "水龙头漏水",
    "value_yuan": "50",
    "value_cap": "800",
    "text": "3 号楼楼道灯坏了一周",
    "place": "3 号楼",
    "note": "已联系物业",
    "reason": "材料不全",
    "comment": "谢谢",
    "kind": "member",
    "work_unit": "区教育局",
    "party_branch": "第一支部",
    "contact_phone": "13900001111",
    "rating": "satisfied",
    "q": "王",
}
"""A plausible value for a field the page leaves empty, so that the one hostile field is the
only thing wrong with a request and the handler goes as deep as it can with it."""

# What a handler reads from its form or query beyond its declared parameters.
_READS = re.compile(
    r"""(?:form\.(?:get|int|file)|getall|query_params\.get)\(\s*["']([A-Za-z_][\w-]*)["']"""
)
_NOT_QUERY = {"self", "viewer", "visitor", "throttle", *RESERVED_KWARGS}


@dataclass
class World:
    phones: dict[str, str]
    path: dict[str, dict[str, str]]
    """Per person: a real value for each path parameter, so the deep paths are reached."""
    last4: str


async def _build() -> World:
    district = await builders.district()
    street_id = await builders.street(district, slug="liuyin")
    own = await builders.community(street_id, slug="xinghua")
    await places.create_building(own.id, "3 号楼")
    department = await places.create_department("区城管委", "chengguan")
    grants = {
        "resident": (Role.RESIDENT, own.id),
        "party member": (Role.PARTY_MEMBER, own.id),
        "staff": (Role.COMMUNITY_STAFF, own.id),
        "street official": (Role.STREET_OFFICIAL, street_id),
        "department": (Role.DEPARTMENT_STAFF, department),
        "admin": (Role.DISTRICT_ADMIN, 0),
    }
    ids, phones = {}, {}
    for who, grant in grants.items():
        ids[who], phones[who] = await builders.person(grant, name=f"测试{len(ids)}")
    await accounts.grant(ids["resident"], Role.PARTY_REPRESENTATIVE, own.id)
    viewers = {who: await load_viewer(person_id) for who, person_id in ids.items()}
    staff, resident, member = viewers["staff"], viewers["resident"], viewers["party member"]

    helper = await wishes.report(member.id, own.id, Helper.Kind.MEMBER, "黄志远")
    await wishes.decide_report(staff, helper, True, NOW)
    pending_id, _phone = await builders.person((Role.PARTY_MEMBER, own.id), name="赵红")
    pending = await wishes.report(pending_id, own.id, Helper.Kind.MEMBER, "赵红")

    async def wish(title: str) -> int:
        return await wishes.submit_wish(staff, own.id, resident.id, title, "", "助老", 80, NOW)

    published = await wish("配一副老花镜")
    await wishes.move(staff, published, S.PUBLISHED, NOW)
    returned = await wish("修理厨房水龙头")
    await wishes.move(staff, returned, S.RETURNED, NOW, note="请写清楚型号")
    claimed = await wish("买一袋大米")
    await wishes.move(staff, claimed, S.PUBLISHED, NOW)
    await wishes.claim(member, claimed, NOW)

    async def case(viewer=None, **more: Any) -> str:
        return await cases.file_case(
            viewer, own.id, category="环境卫生", text="楼道里堆满了杂物", now=NOW, **more
        )

    submitted = await case(phone="13800005678")
    answered = await case(resident)
    for verb in (Verb.ACCEPT, Verb.START):
        await cases.act(staff, answered, verb, NOW)
    await cases.act(staff, answered, Verb.ANSWER, NOW, note="已清理")
    at_street = await case()
    await cases.act(staff, at_street, Verb.ESCALATE, NOW, note="需要街道协调")
    at_department = await case()
    await cases.act(staff, at_department, Verb.ESCALATE, NOW, note="需要街道协调")
    await cases.act(viewers["street official"], at_department, Verb.TAKE, NOW)
    await cases.act(
        viewers["street official"],
        at_department,
        Verb.ESCALATE,
        NOW,
        note="请城管处理",
        department_id=department,
    )

    topic = await hall.open_topic(staff, own.id, hall.TopicInput("北门停车", "车太多了"), NOW)
    await hall.set_up_vote(
        staff,
        topic,
        hall.VoteSetup(Topic.Counting.PERSON, Topic.Threshold.MAJORITY, True, None),
        NOW,
    )
    for verb in (HallVerb.DELIBERATE, HallVerb.OPEN_VOTE):
        await hall.step(staff, await hall.load(topic["id"], own.id), verb, NOW)
    said = await hall_posts.write(
        resident, await hall.load(topic["id"], own.id), "for", "同意", NOW, store=None
    )

    membership = await Membership.select(Membership.id).where(Membership.person == ids["resident"])
    common = {
        "slug": own.slug,
        "street": "liuyin",
        "department": "chengguan",
        "wish_id": str(published),
        "helper_id": str(pending),
        "person_id": str(ids["resident"]),
        "membership_id": str(membership[0]["id"]),
        "code": submitted,
        "topic_id": str(topic["id"]),
        "post_id": str(said),
        "n": "1",
        "name": static_url("style.css").removeprefix("/static/"),
    }
    path = {who: dict(common) for who in PEOPLE}
    path["resident"].update(wish_id=str(returned), code=answered)
    path["party member"].update(wish_id=str(claimed), helper_id=str(helper))
    path["street official"]["code"] = at_street
    path["department"]["code"] = at_department
    return World(phones, path, last4="5678")


@dataclass
class FormSeen:
    """The fields of the forms on our pages that post to one address, and their defaults."""

    names: set[str] = field(default_factory=set)
    defaults: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, FormSeen] = {}
        self.current: FormSeen | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = urlsplit(a.get("action", "")).path
            self.current = self.found.setdefault(action, FormSeen())
        if self.current is None:
            return
        seen = self.current
        chosen = "selected" in a or not seen.defaults.get(self.select or "")
        if tag == "option" and self.select and a.get("value") and chosen:
            seen.defaults[self.select] = a["value"]
        if not (name := a.get("name")):
            return
        seen.names.add(name)
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a and name in seen.defaults:
                return
            if kind != "file":
                seen.defaults.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self.select = name
            seen.defaults.setdefault(name, "")
        elif tag == "textarea":
            self.textarea = name

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.textarea:
            self.current.defaults.setdefault(self.textarea, data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: str  # as the app declares it: /c/{slug:str}/wishes/{wish_id:int}
    path_params: tuple[str, ...]
    query: tuple[str, ...]
    reads: tuple[str, ...]  # form fields or query names the handler's source reads


def endpoints(app: Litestar) -> list[Endpoint]:
    """Every route and method of the app, GETs first (their pages show the forms)."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            methods = handler.http_methods - {"OPTIONS", "HEAD"}
            if not methods:
                continue
            params = tuple(route.path_parameters)
            declared = handler.parsed_fn_signature.parameters
            dependencies = set(handler.resolve_dependencies())
            query = tuple(
                n for n in declared if n not in _NOT_QUERY | dependencies and n not in params
            )
            reads = tuple(dict.fromkeys(_READS.findall(inspect.getsource(handler.fn))))
            for method in sorted(methods):
                found.append(Endpoint(method, route.path, params, query, reads))
    return sorted(found, key=lambda e: (e.method != "GET", e.pattern))


def _fill(pattern: str, values: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            pytest.fail(
                f"{pattern}: the test needs a real value for the path parameter {name!r} "
                "(World.path in tests/http/test_hostile_input.py)"
            )
        return quote(values[name], safe="")

    return re.sub(r"\{(\w+)(?::\w+)?\}", one, pattern)


def _multipart_not_utf8(fields: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A multipart form whose fields are as given, and one more that is not UTF-8 text: what
    a broken phone or a script may send."""
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
        if isinstance(v, str)
    ]
    parts.append(b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n\xff\xfe\r\n')
    return b"".join([*parts, b"--b--\r\n"]), {"content-type": "multipart/form-data; boundary=b"}


def _peers(app: Any) -> Any:
    """Each request from another address: per-address limits (sign-up, filings, code look-ups)
    would otherwise refuse every request after the tenth before it reached the value tried."""
    numbers = itertools.count(1)

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            n = next(numbers)
            scope = {**scope, "client": (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", 50000)}
        await app(scope, receive, send)

    return asgi


@pytest.fixture
async def site(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Litestar, AsyncTestClient]]:
    # Failed sign-ins per phone are counted too: the password field is tried with every value.
    monkeypatch.setenv("CIVIC_LOGIN_MAX_FAILURES", "100000")
    app = create_app(Settings.from_env())
    async with AsyncTestClient(
        app=_peers(app), base_url="http://testserver.local", raise_server_exceptions=False
    ) as client:
        client.follow_redirects = False
        yield app, client


class Run:
    """Requests as one person, noting every answer that broke the site."""

    def __init__(
        self, client: AsyncTestClient, world: World, who: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        self.client, self.world, self.who, self.caplog = client, world, who, caplog
        self.failures: list[str] = []
        self.forms: dict[str, FormSeen] = {}

    async def sign_in(self) -> None:
        self.client.cookies.clear()
        await builders.csrf_token(self.client)
        if self.who != "visitor":
            await builders.sign_in(self.client, self.world.phones[self.who])

    async def send(
        self,
        method: str,
        url: str,
        what: str,
        *,
        pattern: str = "",
        query: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        cookies: dict[str, str] | None = None,
        not_utf8: bool = False,
    ) -> Response | None:
        self.caplog.clear()
        kwargs: dict[str, Any] = {"params": query or {}}
        if method != "GET":
            token = self.client.cookies.get("csrftoken") or await builders.csrf_token(self.client)
            kwargs["data"] = {"_csrf_token": token, **(data or {})}
            if not_utf8:
                kwargs["content"], kwargs["headers"] = _multipart_not_utf8(kwargs.pop("data"))
        saved = dict(self.client.cookies)
        for name, value in (cookies or {}).items():
            self.client.cookies.set(name, value)
        where = f"{method} {pattern or url} {what} as {self.who}"
        try:
            response = await self.client.request(method, url, **kwargs)
        except Exception as exc:  # a crash below the error pages is a failure too
            self.failures.append(f"{where}: {exc!r}")
            return None
        finally:
            if cookies:
                self.client.cookies.clear()
                for name, value in saved.items():
                    self.client.cookies.set(name, value)
        kind = response.headers.get("content-type", "")
        if response.status_code >= 500:
            errors = [r.exc_info[1] for r in self.caplog.records if r.exc_info]
            cause = f" ({errors[-1]!r:.200})" if errors else ""
            self.failures.append(f"{where}: {response.status_code}{cause}")
        elif response.status_code >= 400 and "text/html" not in kind:
            self.failures.append(
                f"{where}: {response.status_code} is not our page ({kind}: {response.text[:80]!r})"
            )
        # A request may sign the person out (or, for a visitor, in): put things back.
        if ("session" in self.client.cookies) != (self.who != "visitor"):
            await self.sign_in()
        return response

    def keep_forms(self, response: Response | None) -> None:
        """The forms of a page as it is shown: their fields, and what they hold to begin with."""
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            return
        parser = _Forms()
        parser.feed(response.text)
        for action, seen in parser.found.items():
            known = self.forms.setdefault(action, FormSeen())
            known.names |= seen.names
            for name, value in seen.defaults.items():
                known.defaults.setdefault(name, value)

    def baseline(self, url: str, endpoint: Endpoint) -> tuple[dict[str, str], list[str]]:
        """A request's plausible form, and the fields to try one at a time."""
        seen = self.forms.get(url, FormSeen())
        names = [n for n in dict.fromkeys([*sorted(seen.names), *endpoint.reads])]
        samples = {
            **SAMPLES,
            "phone": self.world.phones.get(self.who, "13800005678"),
            "last4": self.world.last4,
        }
        form = {n: seen.defaults.get(n) or samples.get(n, "") for n in names}
        # A form key is good once: with it, every request after the first would be sent
        # where the first one's result is, without being read.
        form.pop("_once", None)
        return form, names


def values_for(who: str, where: str, refused: bool) -> dict[str, str | list[str]]:
    """What `who` is tried with in a path or query parameter, a form field or the CSRF token.
    Behind a door the person may not pass (refused as it is), a few values show that the
    refusal holds whatever is sent."""
    if refused and where != "path":  # the door is the path's; what is sent is not read
        return {k: HOSTILE[k] for k in FEW[-1:]}
    if refused or where == "token" or who not in EVERYTHING:
        return {k: HOSTILE[k] for k in FEW}
    if where == "path":
        return {k: v for k, v in HOSTILE.items() if "month" not in k}
    if where == "field" and who == EVERYTHING[-1]:
        return {**HOSTILE, **ONE_PAST}
    return HOSTILE


def is_refused(response: Response | None) -> bool:
    if response is None:
        return False
    to_sign_in = response.headers.get("location", "").startswith("/login")
    return response.status_code in (401, 403) or to_sign_in


def in_address(value: str | list[str]) -> str | list[str]:
    if isinstance(value, list):
        return value
    return value[:IN_ADDRESS]


@pytest.fixture
def prompt_threads() -> Iterator[None]:
    """The site's database calls run on threads (aiosqlite's, the test client's): over
    thousands of requests, the default 5 ms a thread may wait for the interpreter lock is most
    of this test's time."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize("who", PEOPLE)
async def test_no_route_breaks_on_any_value(site, caplog, prompt_threads, who):
    app, client = site
    caplog.set_level(logging.ERROR, logger="civic")
    world = await _build()
    run = Run(client, world, who, caplog)
    await run.sign_in()
    real = world.path[who]
    for endpoint in endpoints(app):
        method, pattern = endpoint.method, endpoint.pattern
        url = _fill(pattern, real)
        form, fields = run.baseline(url, endpoint)
        data = form if method != "GET" else None
        shown = await run.send(method, url, "as it is", pattern=pattern, data=data)
        if method == "GET":
            run.keep_forms(shown)
        refused = is_refused(shown)
        for name in endpoint.path_params:
            for label, value in values_for(who, "path", refused).items():
                if isinstance(value, str):  # a path has one value
                    bad = _fill(pattern, {**real, name: in_address(value)})
                    await run.send(
                        method, bad, f"path {name} = {label}", pattern=pattern, data=data
                    )
        query = endpoint.query if method != "GET" else (*endpoint.query, *endpoint.reads)
        for name in dict.fromkeys(query):
            for label, value in values_for(who, "query", refused).items():
                await run.send(
                    method,
                    url,
                    f"query {name} = {label}",
                    pattern=pattern,
                    query={name: in_address(value)},
                    data=data,
                )
        for name in fields if method != "GET" else ():
            where = "token" if name == "_csrf_token" else "field"
            for label, value in values_for(who, where, refused).items():
                await run.send(
                    method,
                    url,
                    f"field {name} = {label}",
                    pattern=pattern,
                    data={**form, name: value},
                )
    for endpoint in endpoints(app) if who == "visitor" else ():
        url = _fill(endpoint.pattern, real)
        form, _fields = run.baseline(url, endpoint)
        if endpoint.method == "GET":
            for label, cookies in SESSION_COOKIES.items():
                await run.send("GET", url, label, pattern=endpoint.pattern, cookies=cookies)
        else:
            await run.send(
                endpoint.method,
                url,
                "a garbage CSRF cookie",
                pattern=endpoint.pattern,
                data=form,
                cookies=CSRF_COOKIE,
            )
            await run.send(
                endpoint.method,
                url,
                "a field that is not UTF-8",
                pattern=endpoint.pattern,
                data=form,
                not_utf8=True,
            )
    assert not run.failures, f"{len(run.failures)} requests broke the site:\n" + "\n".join(
        run.failures[:100]
    )


# What a person sees of each rule ----------------------------------------------------------


@pytest.fixture
async def place() -> tuple[builders.CommunityInfo, str, str]:
    c = await builders.community(slug="xinghua", name="杏花社区")
    _id, resident = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    _id, staff = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    return c, resident, staff


async def test_a_title_over_its_column_comes_back_with_the_count(client, place):
    c, resident, _staff = place
    await builders.sign_in(client, resident)
    title = "修" * 41
    page = await builders.post_form(
        client, f"/c/{c.slug}/wishes/new", {"title": title, "category": "维修", "value_yuan": "60"}
    )
    assert page.status_code == 422
    assert "最多 30 个字，现在是 41 个字" in builders.text_of(page.text)
    assert f'value="{title}"' in page.text  # what was typed is still there
    assert await Wish.count() == 0


async def test_a_control_character_anywhere_gets_the_same_chinese_page(client, place):
    c, _resident, _staff = place
    refused = [
        await client.get(f"/c/{c.slug}/wishes/", params={"category": "a\x00b"}),
        await client.get("/c/xing%00hua/"),
        await builders.post_form(
            client, f"/c/{c.slug}/suggestions/new", {"category": "其他", "text": "灯\x00坏了"}
        ),
    ]
    content, headers = _multipart_not_utf8(
        {"_csrf_token": await builders.csrf_token(client), "category": "其他", "text": "灯坏了"}
    )
    refused.append(
        await client.post(f"/c/{c.slug}/suggestions/new", content=content, headers=headers)
    )
    for page in refused:
        assert page.status_code == 400
        assert "提交的内容里有不能识别的符号" in builders.text_of(page.text)


async def test_a_number_or_filter_no_page_has_is_our_400_page_not_json(client, place):
    c, _resident, _staff = place
    for url in (
        f"/c/{c.slug}/wishes/99999999999999999999/",
        f"/c/{c.slug}/suggestions/?page=99999999999999999999",
        f"/c/{c.slug}/suggestions/?page=abc",
        f"/c/{c.slug}/wishes/?status=submitted",  # a state that never shows on the tree
        "/staff/admin/people/0",
    ):
        page = await client.get(url)
        assert page.status_code in (400, 303), url  # the admin's page asks a visitor to sign in
        if page.status_code == 400:
            assert page.headers["content-type"].startswith("text/html"), url
            assert "请求有误" in builders.text_of(page.text), url


async def test_a_report_month_is_one_the_site_has(client, place):
    c, _resident, _staff = place
    today = datetime.now(UTC).astimezone(LOCAL_TZ)
    wide = f"{today.year}-{today.month:02d}".translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    shown = await client.get(f"/c/{c.slug}/suggestions/report", params={"month": wide})
    assert shown.status_code == 200
    assert f"{today.year}年{today.month}月" in builders.text_of(shown.text)
    for month in ("9999-12", "0000-00", "0001-01", "2026-13", "去年"):
        page = await client.get(f"/c/{c.slug}/suggestions/report", params={"month": month})
        assert page.status_code == 400, month
        assert "没有这个月的报告。请选 2020-01 到" in builders.text_of(page.text), month


async def test_an_overlong_or_garbage_session_cookie_is_no_session(client, place):
    _c, resident, _staff = place
    for cookie in ("a" * 8000, "not-hex!'<>", "0" * 64):
        client.cookies.set("session", cookie)
        me = await client.get("/me")
        assert me.status_code == 303 and me.headers["location"].startswith("/login"), cookie
        client.cookies.delete("session")
    await builders.sign_in(client, resident)
    assert re.fullmatch("[0-9a-f]{16,128}", client.cookies["session"])
    assert (await client.get("/me")).status_code == 200


async def test_names_are_kept_without_what_does_not_show(client, place):
    c, _resident, staff = place
    signed_up = await builders.post_form(
        client,
        "/signup",
        {
            "phone": "13811112222",
            "name": "\u202e赵\u200b红",
            "password": PASSWORD,
            "community": c.slug,
        },
    )
    assert signed_up.status_code == 303
    await builders.sign_in(client, staff)
    register = builders.text_of((await client.get(f"/staff/c/{c.slug}/")).text)
    assert "赵红" in register and "\u202e" not in register and "\u200b" not in register
