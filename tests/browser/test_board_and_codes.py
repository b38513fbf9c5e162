"""On a 360 px phone in 长辈模式: the public case board's 30 rows stay compact (each a finger-sized
target in 18 px text or more, the 30 about three and a half screens, not eight), and a tracking
code is never broken across lines wherever it is shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from tests import builders
from tests.browser.helpers import run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
ROWS = 30
ROW_HEIGHT = 120
"""px a row may take at most. A row shows its state and category, the case's words, who filed
it (masked), its age and clock, and the first words of the answer: at 18 px text and a line
height of 1.4, that is four lines of 25 px and the row's padding (about 112 px); a bound of
120 px keeps the 30 rows within 3,600 px (five screens of a 740 px phone, where they took
about 5,000) while leaving a few pixels for fonts that run a little taller."""

# What residents write, as long as they write it (the board shows up to 60 characters).
WORDS = [
    "3 号楼东侧的路灯坏了一周，晚上老人出门看不清台阶，希望尽快修好。",
    "小区北门的垃圾桶满了三天没人清，味道很大，夏天招苍蝇。",
    "单元门的门禁坏了，外面的人随便进出，住户担心安全问题，请物业和社区一起看看怎么办。",
    "楼道里堆了很多纸箱和旧家具，挡住了消防通道。",
    "健身器材的扶手掉漆生锈了，孩子玩的时候容易划伤手。",
    "晚上八点以后院内车位不够，有的车停在消防通道上，救护车进不来。",
]
ANSWER = "已经联系物业派人处理，明天上午会有师傅上门，处理好后请您在这里评价。"


def _profile(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(10_000)
    host = urlsplit(base_url).hostname or "127.0.0.1"
    context.add_cookies([{"name": "elder", "value": "1", "domain": host, "path": "/"}])
    return context


async def _board() -> tuple[str, str, list[str]]:
    """A community whose board has 30 public cases: a third waiting for a first response, a
    third answered, a third closed with a rating; staff to look at their queue."""
    now = datetime.now(UTC)
    c = await builders.community(name="杏花社区")
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    resident_id, _ = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    staff, resident = await load_viewer(staff_id), await load_viewer(resident_id)
    made = []
    for n in range(ROWS):
        code = await cases.file_case(
            resident,
            c.id,
            category="设施维修" if n % 2 else "环境卫生",
            text=WORDS[n % len(WORDS)],
            now=now - timedelta(hours=n + 1),
        )
        if n % 3:
            await cases.act(staff, code, Verb.ACCEPT, now)
            await cases.act(staff, code, Verb.START, now)
            await cases.act(staff, code, Verb.ANSWER, now, note=ANSWER)
        if n % 3 == 2:
            await cases.rate(resident, code, "satisfied", now)
        made.append(code)
    return c.slug, staff_phone, made


ROWS_MEASURED = """() => {
  const rows = [...document.querySelectorAll('#board-list a.case-row')];
  const list = document.querySelector('#board-list ul');
  const size = el => parseFloat(getComputedStyle(el).fontSize);
  const texts = rows.flatMap(r => [...r.querySelectorAll('*')]).filter(
    el => [...el.childNodes].some(n => n.nodeType === 3 && n.nodeValue.trim()));
  return {
    rows: rows.length,
    list: list.getBoundingClientRect().height,
    heights: rows.map(r => r.getBoundingClientRect().height),
    widths: rows.map(r => r.getBoundingClientRect().width),
    smallest: Math.min(...texts.map(size), ...rows.map(size)),
  };
}"""


def test_thirty_cases_on_the_board_fit_in_a_few_screens(browser: Browser, live_server: str):
    slug, _staff, _codes = run(_board())
    context = _profile(browser, live_server)
    try:
        page = context.new_page()
        page.goto(f"/c/{slug}/suggestions/")
        measured = page.evaluate(ROWS_MEASURED)
    finally:
        context.close()
    assert measured["rows"] == ROWS
    tallest = max(measured["heights"])
    print(  # shown with -s: what the board measures now
        f"30 rows: {measured['list']:.0f} px, {measured['list'] / ROWS:.0f} px a row on average, "
        f"the tallest {tallest:.0f} px, the shortest {min(measured['heights']):.0f} px"
    )
    assert min(measured["heights"]) >= 60 and min(measured["widths"]) >= 60, measured
    assert measured["smallest"] >= 18 - 0.05, measured
    assert tallest <= ROW_HEIGHT, measured["heights"]
    assert measured["list"] <= ROWS * ROW_HEIGHT, measured["list"]


CODE_LINES = """selector => [...document.querySelectorAll(selector)].map(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
    .map(r => Math.round(r.top)));
  return {text: el.textContent, lines: tops.size};
})"""


def _code_lines(page: Page, selector: str = ".case-code") -> list[dict]:
    found = page.evaluate(CODE_LINES, selector)
    assert found, f"no tracking code shown on {page.url}"
    return found


def test_a_tracking_code_is_never_broken_across_lines(browser: Browser, live_server: str):
    slug, staff_phone, codes = run(_board())
    code = codes[0]
    shown = f"{code[:4]}-{code[4:]}"
    context = _profile(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/login")
        sign_in(page, staff_phone)
        expect(page).to_have_url(re.compile(r"/me$"))
        # The case page's heading, the staff queue's rows, a confirmation page, the inbox.
        for path in (
            f"/s/{code}",
            f"/staff/c/{slug}/suggestions/",
            f"/s/{code}/confirm?step=reject",
            "/me/messages",
        ):
            page.goto(path)
            lines = _code_lines(page)
            broken = [f for f in lines if f["lines"] != 1]
            assert not broken, f"{path}: {broken}"
            if path == f"/s/{code}":
                assert lines[0]["text"] == shown
        # A code that would break at its dash without the rule: squeezed into a narrow box.
        page.goto(f"/s/{code}")
        squeezed = page.evaluate(
            """() => {
              const h1 = document.querySelector('h1');
              h1.style.width = '7em';
              const range = document.createRange();
              range.selectNodeContents(h1.querySelector('.case-code'));
              const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                .map(r => Math.round(r.top)));
              return tops.size;
            }"""
        )
        assert squeezed == 1
    finally:
        context.close()
