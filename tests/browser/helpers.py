"""What the browser tests share: test data from a plain test, profiles, and the axe-core check."""

from __future__ import annotations

import asyncio
import importlib.resources
import weakref
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import Browser, BrowserContext, Page, Route

T = TypeVar("T")

AXE_SOURCE = (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(
    encoding="utf-8"
)
AXE_RUN = """() => Promise.race([
    axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    }),
    new Promise((_, fail) => setTimeout(() => fail(new Error('axe ran for 30 s')), 30000)),
]).then(result => result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => ({html: n.html, target: n.target, summary: n.failureSummary})),
})))"""

_without_javascript: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to the end from a plain test.

    While Playwright's sync API is open its event loop counts as running in this thread, so
    asyncio.run() refuses to start here: the coroutine gets a thread and a loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def new_context(browser: Browser, base_url: str, *, javascript: bool = True) -> BrowserContext:
    """A fresh profile: no cookies, Chinese locale, a phone-sized window."""
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN",
        viewport={"width": 412, "height": 915},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(10_000)
    if not javascript:
        _without_javascript.add(context)
    return context


def _violations(page: Page) -> list[dict]:
    # Evaluated through the DevTools protocol, so the site's Content-Security-Policy (which
    # allows no inline or injected scripts) does not apply, and no header is weakened.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(AXE_RUN)


def _report(url: str, mode: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} WCAG 2.1 A/AA problem(s) on {url} ({mode}):"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {node['html']}")
            lines.append(f"      at {' '.join(node['target'])}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def _check_both_modes(page: Page, url: str) -> None:
    """axe on the page as it is now, and with 长辈模式 switched the other way.

    长辈模式 is the class "elder" on <html> (the server writes it from the elder cookie, and
    all of its effect is in the stylesheet), so toggling that class shows this same page
    state, a filled or failed form included, exactly as it looks in the other mode."""
    elder_now = page.evaluate("() => document.documentElement.classList.contains('elder')")
    problems = []
    try:
        for elder in (elder_now, not elder_now):
            page.evaluate(
                "elder => document.documentElement.classList.toggle('elder', elder)", elder
            )
            found = _violations(page)
            if found:
                problems.append(_report(url, "长辈模式" if elder else "normal mode", found))
    finally:
        page.evaluate(
            "elder => document.documentElement.classList.toggle('elder', elder)", elder_now
        )
    assert not problems, "\n\n".join(problems)


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.0/2.1 level A or AA problem on the page, in normal mode and in
    长辈模式.

    In a profile without JavaScript the page's timers never fire, so axe could not finish
    there: the page as that person sees it (its current HTML, the site's stylesheet, no
    scripts) is opened at the same address in a profile with JavaScript, and checked there."""
    url = page.url
    if page.context not in _without_javascript:
        _check_both_modes(page, url)
        return
    html = page.content()
    browser = page.context.browser
    assert browser is not None
    copy_context = browser.new_context(locale="zh-CN", viewport=page.viewport_size)
    try:
        copy = copy_context.new_page()

        def same_html(route: Route) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        copy.route(url, same_html)
        copy.route("**/*.js", lambda route: route.abort())
        copy.goto(url)
        _check_both_modes(copy, url)
    finally:
        copy_context.close()
