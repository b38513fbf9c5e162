"""长辈模式 holds on every page: each page of the site, visited in 长辈模式 on a 360 px phone by the
person who uses it, has every link, button and form control a 60 × 60 px target and every text
18 px or more, a line height of 1.3 or more, a contrast of 4.5:1 or more, and no text standing
one character a line; the switch is in the header of every page, and every page has a
description and Open Graph tags for a link's preview.

The walk visits a fixed list of pages, one of each kind, as the right person, then follows the
links those pages show (one page of each address pattern), so a new feature's pages join it by
being linked from a community's home or a staff page. It collects every failure and fails once,
naming the page and the element."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.features import FEATURES
from civic.places import households
from civic.places import service as places
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from civic.wishes import service as wishes
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders
from tests.browser.helpers import run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
EXTRA_PAGES = 40  # pages found by following links, beyond the fixed list
NAMES = {
    "admin": "陈立新",
    "street": "周建国",
    "department": "吴磊",
    "staff": "王秀兰",
    "owner": "李桂芳",
    "member": "黄志远",
    "neighbour": "赵大妈",
}
SKIPPED_LINKS = re.compile(r"\.(pdf|csv)$|/photo|/photos/|/fulfil-photo|^/logout|^/static/")

# One script per page, run in the page through the DevTools protocol (so the site's CSP, which
# allows no injected script, is not weakened). It returns the failures as {el, text, problem}
# (the page's width, the switch and the preview tags among them) and the page's links. Every
# closed <details> (更多操作, a post's 修改) is opened while the page is measured, as what it
# holds is one tap away.
#
# Skipped, because nobody sees or taps them:
# - elements inside aria-hidden="true" (decorative marks such as "›" and the legend's icons);
# - elements that render no box (display:none, <option>s of a closed select, an SVG <title>,
#   <input type=hidden>) or have visibility other than visible;
# - elements placed off the page to the left or above it until they are focused (the skip
#   link, and a stacked table's column headings kept for screen readers), and those clipped
#   to 1 × 1 px for screen readers only;
# - the contrast of disabled controls (WCAG exempts inactive components);
# - the line height of a closed <select>: Chromium holds it at "normal" whatever the stylesheet
#   says, and its one line of text has no line spacing to read.
MEASURE = """personal => {
  const TARGET = 60, FONT = 18, LINE = 1.3, CONTRAST = 4.5;
  const failures = [];
  const closed = [...document.querySelectorAll('details:not([open])')];
  for (const d of closed) d.open = true;
  const fail = (el, problem, text) =>
    failures.push({el: describe(el), text: text ?? textOf(el), problem});
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = el.getAttribute('class');
    if (cls && cls.trim()) s += '.' + cls.trim().split(/\\s+/).join('.');
    const type = el.getAttribute('type'), name = el.getAttribute('name');
    if (type && el.tagName !== 'A') s += `[type=${type}]`;
    if (name) s += `[name=${name}]`;
    const parent = el.parentElement;
    if (parent && parent !== document.body && !el.id) {
      const pc = parent.getAttribute('class');
      const first = pc && pc.trim() ? '.' + pc.trim().split(/\\s+/)[0] : '';
      s = parent.tagName.toLowerCase() + first + ' > ' + s;
    }
    return s;
  };
  const textOf = el => {
    const t = (el.innerText || el.textContent || el.getAttribute('aria-label') || el.value || '')
      .replace(/\\s+/g, ' ').trim();
    return t.length > 24 ? t.slice(0, 24) + '…' : t;
  };
  const skipped = el => {
    if (el.closest('[aria-hidden="true"]')) return true;
    if (el.getClientRects().length === 0) return true;
    if (getComputedStyle(el).visibility !== 'visible') return true;
    const r = el.getBoundingClientRect();
    const left = r.left + scrollX, top = r.top + scrollY;
    if (left + r.width <= 0 || top + r.height <= 0) return true;  // off-screen until focused
    if (r.width <= 1 && r.height <= 1) return true;  // for screen readers only
    return false;
  };
  const px = v => Math.round(v * 10) / 10;

  // Tap targets: every link, button and form control; a radio or checkbox with its label.
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || skipped(el)) continue;
    let box = el.getBoundingClientRect(), who = el;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label')
        || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
      if (label) {
        const l = label.getBoundingClientRect();
        const x = Math.min(box.left, l.left), y = Math.min(box.top, l.top);
        box = {width: Math.max(box.right, l.right) - x, height: Math.max(box.bottom, l.bottom) - y};
        who = label;
      }
    }
    if (box.width < TARGET || box.height < TARGET)
      fail(who, `tap target ${px(box.width)} × ${px(box.height)} px`, textOf(who));
  }

  // Text: each element holding text of its own, and every form control's typed text.
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const rgba = s => {
    const m = s.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return [+m[0], +m[1], +m[2], m[3] === undefined ? 1 : +m[3]];
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]));
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const contrast = el => {
    const s = getComputedStyle(el);
    const bg = background(el);
    const fg = over(rgba(el instanceof SVGElement ? s.fill : s.color), bg);
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const checkText = (el, ownText) => {
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    if (size < FONT - 0.05) fail(el, `text ${px(size)} px`);
    if (!(el instanceof SVGElement) && el.tagName !== 'SELECT') {
      const line = s.lineHeight === 'normal' ? NaN : parseFloat(s.lineHeight);
      if (!(line >= LINE * size - 0.05))
        fail(el, `line height ${s.lineHeight === 'normal' ? 'normal' : px(line / size)}`);
    }
    if (!el.disabled && !el.closest('[disabled]')) {
      const ratio = contrast(el);
      if (ratio < CONTRAST) fail(el, `contrast ${Math.round(ratio * 100) / 100}:1`);
    }
    for (const node of ownText) {
      const chars = node.nodeValue.replace(/\\s+/g, '').length;
      if (chars < 2) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const lines = new Set(rects.map(r => Math.round(r.top)));
      if (lines.size >= 2 && chars / lines.size < 2)
        fail(el, `${chars} characters on ${lines.size} lines`);
    }
  };
  const own = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || !node.nodeValue.trim()) continue;
    const unseen = ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'title'];
    if (unseen.includes(parent.tagName)) continue;
    if (!own.has(parent)) own.set(parent, []);
    own.get(parent).push(node);
  }
  for (const [el, nodes] of own) if (!skipped(el)) checkText(el, nodes);
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'checkbox', 'radio'].includes(el.type) || skipped(el)) continue;
    checkText(el, []);
  }

  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1)
    failures.push({el: 'html', text: '',
      problem: `the page is ${root.scrollWidth} px wide on a ${root.clientWidth} px screen`});
  if (!root.classList.contains('elder'))
    failures.push({el: 'html', text: '', problem: 'not in 长辈模式'});
  const switches = document.querySelectorAll('header form[action="/prefs/elder"] button');
  if (switches.length !== 1)
    failures.push({el: 'header', text: '',
      problem: `${switches.length} 长辈模式 switches in the header`});
  for (const meta of ['meta[name=description]', 'meta[property="og:title"]',
                      'meta[property="og:description"]']) {
    const found = document.head.querySelector(meta);
    if (!found || !found.content.trim())
      failures.push({el: 'head', text: '', problem: `no ${meta} for a link's preview`});
    for (const secret of personal)
      if (found && found.content.includes(secret))
        failures.push({el: meta, text: found.content, problem: `names ${secret}`});
  }
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  for (const d of closed) d.open = false;
  return {failures, links};
}"""


@dataclass
class Site:
    slug: str
    street: str
    department: str
    phones: dict[str, str]
    names: list[str]
    ids: dict[str, int]
    codes: dict[str, str]
    hall_topics: list[int] = field(default_factory=list)


async def _site() -> Site:
    now = datetime.now(UTC)
    district = await builders.district("青溪区")
    street_id = await builders.street(district, slug="liuyin", name="柳荫街道")
    c = await builders.community(
        street_id,
        slug="xinghua",
        name="杏花社区",
        address="杏花路 12 号",
        office_phone="010-6351-2201",
    )
    await builders.community(street_id, slug="huaishu", name="槐树里社区")
    grid = await places.create_grid(c.id, "第一网格")
    building = await places.create_building(c.id, "3号楼", grid)
    for door in ("101", "102", "201", "202"):
        await households.add_dwelling(c.id, building, door, "78.5")
    department = await places.create_department("区城市管理委员会", "chengguan")

    roles = {
        "admin": (Role.DISTRICT_ADMIN, 0),
        "street": (Role.STREET_OFFICIAL, street_id),
        "department": (Role.DEPARTMENT_STAFF, department),
        "staff": (Role.COMMUNITY_STAFF, c.id),
        "owner": (Role.RESIDENT, c.id),
        "member": (Role.PARTY_MEMBER, c.id),
        "neighbour": (Role.RESIDENT, c.id),
    }
    people = {k: await builders.person(role, name=NAMES[k]) for k, role in roles.items()}
    v = {k: await load_viewer(pid) for k, (pid, _) in people.items()}
    owner_id = people["owner"][0]
    await households.choose_home(people["neighbour"][0], building, "102", now)

    helper = await wishes.report(people["member"][0], c.id, Helper.Kind.MEMBER, NAMES["member"])
    await wishes.decide_report(v["staff"], helper, True, now)
    await wishes.report(people["neighbour"][0], c.id, Helper.Kind.MEMBER, NAMES["neighbour"])

    async def wish(title: str, category: str = "助老") -> int:
        return await wishes.submit_wish(v["owner"], c.id, owner_id, title, "", category, 80, now)

    ids: dict[str, int] = {"owner": owner_id}
    ids["submitted"] = await wish("配一副老花镜")
    ids["returned"] = await wish("买一台收音机", "生活用品")
    await wishes.move(v["staff"], ids["returned"], S.RETURNED, now, note="请写明型号")
    for n, title in enumerate(("修理厨房水龙头", "孩子的新书包", "一袋大米", "陪老人去医院复诊")):
        ids[f"published{n}"] = await wish(title, "维修" if n == 0 else "助老")
        await wishes.move(v["staff"], ids[f"published{n}"], S.PUBLISHED, now)
    for state in ("claimed", "fulfilled", "confirmed"):
        ids[state] = await wish(f"换一个{state}灯泡", "维修")
        await wishes.move(v["staff"], ids[state], S.PUBLISHED, now)
        await wishes.claim(v["member"], ids[state], now)
        if state != "claimed":
            await wishes.move(v["member"], ids[state], S.FULFILLED, now, note="已经换好了")
        if state == "confirmed":
            await wishes.move(v["owner"], ids[state], S.CONFIRMED, now)
    ids["rejected"] = await wish("一部新手机", "其他")
    await wishes.move(v["staff"], ids["rejected"], S.REJECTED, now, note="超出微心愿范围")

    phone = people["owner"][1]

    async def case(text: str, *steps: tuple[str, Verb], public: bool = True) -> str:
        code = await cases.file_case(
            v["owner"],
            c.id,
            category="设施维修",
            text=text,
            now=now - timedelta(hours=30),
            building_id=building,
            is_public=public,
            phone=phone,
        )
        for who, verb in steps:
            note = "已经派人修好了" if verb in (Verb.ANSWER, Verb.REJECT, Verb.REPLY) else ""
            if verb is Verb.ESCALATE:
                note = "需要街道协调"
            department_id = department if who == "street" and verb is Verb.ESCALATE else None
            await cases.act(v[who], code, verb, now, note=note, department_id=department_id)
        return code

    accept, start = ("staff", Verb.ACCEPT), ("staff", Verb.START)
    codes = {
        "submitted": await case("3 号楼东侧的路灯坏了一周，晚上老人出门看不清台阶。"),
        "private": await case("楼上邻居夜里装修，吵得睡不着。", public=False),
        "working": await case("小区门口的井盖松动了。", accept, start),
        "feedback": await case(
            "单元门的门禁坏了。", accept, start, ("staff", Verb.ANSWER), public=False
        ),
        "street": await case("小区外的人行道被占道经营。", accept, ("staff", Verb.ESCALATE)),
        "department": await case(
            "路口的垃圾站一直没人清运。",
            accept,
            ("staff", Verb.ESCALATE),
            ("street", Verb.TAKE),
            ("street", Verb.ESCALATE),
        ),
        "rejected": await case("希望给每户发一台空调。", ("staff", Verb.REJECT)),
    }
    closed = await case("健身器材掉漆了。", accept, start, ("staff", Verb.ANSWER))
    await cases.rate(v["owner"], closed, "satisfied", now, comment="修得很快，谢谢")
    codes["closed"] = closed

    hall_topics: list[int] = []
    if "civic.hall" in FEATURES:  # the 议事厅: a topic collecting needs, and one in its vote
        from civic.hall import outcome, posts
        from civic.hall import service as hall
        from civic.hall.tables import Post, Topic
        from civic.hall.workflow import Verb as Step

        async def topic(title: str, text: str) -> dict:
            opened = await hall.open_topic(v["staff"], c.id, hall.TopicInput(title, text), now)
            hall_topics.append(opened["id"])
            return await hall.load(opened["id"], c.id)

        lift = await topic("3 号楼加装电梯", "3 号楼住着很多老人，想商量加装电梯和分摊费用。")
        await hall.step(v["staff"], lift, Step.DELIBERATE, now)
        by_home = hall.VoteSetup(Topic.Counting.HOUSEHOLD, Topic.Threshold.MAJORITY, True, None)
        await hall.set_up_vote(v["staff"], await hall.load(lift["id"], c.id), by_home, now)
        await hall.step(v["staff"], await hall.load(lift["id"], c.id), Step.OPEN_VOTE, now)
        dogs = await topic("文明养犬公约", "一起定下遛狗的规矩。")
        await hall.step(v["staff"], dogs, Step.DELIBERATE, now)
        convention = (Topic.Outcome.CONVENTION, "定下公约两条。")
        await hall.step(
            v["staff"], await hall.load(dogs["id"], c.id), Step.PUBLISH, now, outcome=convention
        )
        await outcome.set_articles(
            v["staff"], await hall.load(dogs["id"], c.id), ["出户拴绳。", "随手清理。"], now
        )
        parking = await topic("北门院内夜间停车怎么排", "晚上八点后院内车位不够，消防通道常被占。")
        await hall.step(v["staff"], parking, Step.DELIBERATE, now)
        parking = await hall.load(parking["id"], c.id)
        said = "按楼轮换最公平，每周换一次。"
        await posts.write(v["owner"], parking, Post.Stance.IDEA, said, now, store=None)
        setup = hall.VoteSetup(
            Topic.Counting.PERSON,
            Topic.Threshold.MAJORITY,
            True,
            now + timedelta(days=5),
            ("按楼轮换夜间车位", "错时停车"),
        )
        await hall.set_up_vote(v["staff"], parking, setup, now)
        parking = await hall.load(parking["id"], c.id)
        await hall.step(v["staff"], parking, Step.OPEN_VOTE, now)
    return Site(
        slug=c.slug,
        street="liuyin",
        department="chengguan",
        phones={k: p for k, (_, p) in people.items()},
        names=list(NAMES.values()),
        ids=ids,
        codes=codes,
        hall_topics=hall_topics,
    )


def _pages(site: Site) -> dict[str, list[str]]:
    """Each person and the pages they use, one of each kind."""
    c, i, code = f"/c/{site.slug}", site.ids, site.codes
    wish = f"{c}/wishes"
    staff = f"/staff/c/{site.slug}"
    hall = [f"{c}/hall/", *(f"{c}/hall/{n}/" for n in site.hall_topics)] if site.hall_topics else []
    return {
        "visitor": [
            "/",
            f"{c}/",
            f"{wish}/",
            f"{wish}/{i['published0']}/",
            f"{wish}/{i['confirmed']}/",
            f"{c}/suggestions/",
            f"{c}/suggestions/?status=open",
            f"{c}/suggestions/new",
            f"{c}/suggestions/report",
            "/s/",
            f"/s/{code['submitted']}",
            f"/s/{code['private']}",
            f"/s/{code['closed']}",
            "/login",
            "/signup",
            *hall,
        ],
        "owner": [
            "/me",
            "/me/messages",
            f"{wish}/new",
            f"{wish}/{i['submitted']}/",
            f"{wish}/{i['returned']}/",
            f"{wish}/{i['fulfilled']}/",
            f"{c}/suggestions/new",
            f"/s/{code['feedback']}",
            f"/s/{code['working']}",
            *hall,
        ],
        "member": [
            f"{wish}/",
            f"{wish}/{i['published1']}/",
            f"{wish}/{i['claimed']}/",
            f"{wish}/report",
            "/me",
        ],
        "neighbour": [f"{wish}/report", "/me", f"{wish}/{i['published2']}/"],
        "staff": [
            "/staff/",
            f"{staff}/",
            f"{staff}/wishes/",
            f"{wish}/{i['submitted']}/",
            f"{wish}/{i['claimed']}/",
            f"{staff}/suggestions/",
            f"{staff}/suggestions/report",
            f"/s/{code['submitted']}",
            f"/s/{code['working']}",
            f"/s/{code['private']}",
            f"{staff}/households/",
            "/me",
            f"{staff}/households/import",
            *(
                [
                    f"{staff}/hall/",
                    f"{c}/hall/new",
                    f"{c}/hall/{site.hall_topics[0]}/ballots",
                    f"{c}/hall/{site.hall_topics[1]}/outcome",  # lift, dogs, parking
                ]
                if site.hall_topics
                else []
            ),
            *hall,
        ],
        "street": [
            "/staff/",
            f"/staff/street/{site.street}/suggestions/",
            f"/staff/street/{site.street}/suggestions/report",
            f"/staff/street/{site.street}/wishes/",
            f"/s/{code['street']}",
        ],
        "department": [
            f"/staff/department/{site.department}/suggestions/",
            f"/s/{code['department']}",
        ],
        "admin": [
            "/staff/admin/people",
            "/staff/admin/people/new",
            f"/staff/admin/people/{i['owner']}",
            "/staff/wishes/",
        ],
    }


def _key(href: str) -> str:
    """One key per page kind: ids and tracking codes stand for any, a query for any query."""
    link = urlsplit(href)
    path = re.sub(r"/s/[A-Za-z0-9-]{8,9}(?=/|$)", "/s/{code}", link.path)
    return re.sub(r"/\d+(?=/|$)", "/{id}", path) + ("?" if link.query else "")


@dataclass
class Walk:
    failures: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    found: list[tuple[str, str]] = field(default_factory=list)  # (person, path) from links
    pages: int = 0
    personal: list[str] = field(default_factory=list)  # names and phones no preview may show

    def measure(self, page: Page, label: str) -> list[str]:
        result = page.evaluate(MEASURE, self.personal)
        self.pages += 1
        counted = Counter(
            (f["el"], f["text"], f["problem"]) for f in result["failures"] if f["problem"]
        )
        for (el, text, problem), n in counted.items():
            times = f" (×{n})" if n > 1 else ""
            self.failures.append(f"{label}: {el} ({text}) — {problem}{times}")
        return result["links"]

    def visit(self, page: Page, person: str, path: str, *, listed: bool) -> None:
        """Measure the page and keep the links it shows to pages of a kind not seen yet. A page
        of the fixed list must answer; one found by a link may refuse this person."""
        response = page.goto(path)
        label = f"{path} as {person}"
        if response is None or response.status >= 400:
            status = response.status if response else "no answer"
            if listed:
                self.failures.append(f"{label}: the page answered {status}")
            return
        for href in self.measure(page, label):
            if not href.startswith("/") or href.startswith("//"):
                continue  # another site, tel:, a fragment
            if SKIPPED_LINKS.search(urlsplit(href).path):
                continue
            key = _key(href)
            if key not in self.seen:
                self.seen.add(key)
                self.found.append((person, href))


def _profile(browser: Browser, base_url: str, *, javascript: bool = True) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport=PHONE, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    host = urlsplit(base_url).hostname or "127.0.0.1"
    context.add_cookies([{"name": "elder", "value": "1", "domain": host, "path": "/"}])
    return context


def test_every_page_meets_the_elder_mode_numbers(browser: Browser, live_server: str):
    site = run(_site())
    walk = Walk(personal=[*site.names, *site.phones.values()])
    contexts: dict[str, BrowserContext] = {}
    pages = _pages(site)
    walk.seen.update(_key(path) for paths in pages.values() for path in paths)
    try:
        for person, paths in pages.items():
            context = contexts[person] = _profile(browser, live_server)
            page = context.new_page()
            if person != "visitor":
                page.goto("/login")
                sign_in(page, site.phones[person])
                expect(page).to_have_url(re.compile(r"/me$"))
            else:  # a refused sign-in: the form again, with its message
                page.goto("/login")
                sign_in(page, "13900009999", "wrong password")
                expect(page.get_by_role("alert")).to_be_visible()
                walk.measure(page, "/login refused")
            for path in paths:
                walk.visit(page, person, path, listed=True)
        extra = 0
        while walk.found and extra < EXTRA_PAGES:
            person, path = walk.found.pop(0)
            walk.visit(contexts[person].pages[0], person, path, listed=False)
            extra += 1
    finally:
        for context in contexts.values():
            context.close()
    assert walk.pages >= 40, f"only {walk.pages} pages were measured"
    assert not walk.failures, (
        f"{len(walk.failures)} failure(s) on {len({f.split(':')[0] for f in walk.failures})} of "
        f"{walk.pages} pages in 长辈模式 at 360 px:\n" + "\n".join(walk.failures)
    )


def test_the_switch_is_in_the_header_and_works_without_javascript(
    browser: Browser, live_server: str
):
    """Normal mode: the switch is a real tap target in the header; tapping it with JavaScript
    off turns 长辈模式 on for this page and the next, and the same switch turns it off."""
    run(builders.district("青溪区"))
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/login")
        switch = page.locator("header").get_by_role("button", name="长辈模式（大字）")
        box = switch.bounding_box()
        assert box and box["height"] >= 48 and box["width"] >= 48, box
        size = switch.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
        assert size >= 16, f"the switch's text is {size} px in normal mode"
        switch.click()
        expect(page).to_have_url(re.compile(r"/login$"))
        expect(page.locator("html.elder")).to_have_count(1)
        page.goto("/")
        expect(page.locator("html.elder")).to_have_count(1)
        page.locator("header").get_by_role("button", name="关闭长辈模式").click()
        expect(page.locator("html.elder")).to_have_count(0)
    finally:
        context.close()
