"""Every page the browser tests visit is valid HTML: the Nu Html Checker finds no error on it.

The pages are those of the 长辈模式 walk (tests/browser/test_elder_mode.py), each visited by the
person who uses it (a visitor, residents, a party member, community staff, the street, a
department, the district admin), then one page of each address their links lead to, and the
forms shown again after a refusal. They are rendered through the test client, written to files
and checked in one run of the checker (it starts a Java machine, which costs seconds).

The markup is the same on either database, so this runs in the SQLite pass only."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import builders
from tests.browser.test_elder_mode import SKIPPED_LINKS, _key, _pages, _site
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the same markup on either database")

ROOT = Path(__file__).resolve().parents[2]
JAVA = "/usr/bin/java"
EXTRA_PAGES = 40  # pages found by following links, beyond the walk's list
LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"]*)"')


def _checker() -> Path:
    """The checker's jar, fetched at its pinned version the first time (scripts/vnu.sh)."""
    found = subprocess.run(
        [str(ROOT / "scripts" / "vnu.sh")], capture_output=True, text=True, check=False
    )
    assert found.returncode == 0, f"scripts/vnu.sh could not fetch the checker:\n{found.stderr}"
    return Path(found.stdout.strip().splitlines()[-1])


def _links(page: str) -> Iterator[str]:
    for href in LINK.findall(page):
        href = html.unescape(href)
        if not href.startswith("//") and not SKIPPED_LINKS.search(urlsplit(href).path):
            yield href


class Pages:
    """The pages rendered so far, each as a file, named after who saw which address."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where: dict[str, str] = {}  # file name -> "address as person"
        self.problems: list[str] = []

    def keep(self, label: str, response) -> str:
        if response.status_code >= 400 and not label.endswith("refused"):
            self.problems.append(f"{label}: the page answered {response.status_code}")
        name = f"page-{len(self.where):03d}.html"
        (self.folder / name).write_text(response.text, encoding="utf-8")
        self.where[name] = label
        return response.text


async def _visit_as(client, person: str, phone: str | None) -> None:
    client.cookies.clear()
    client.follow_redirects = False
    if phone:
        await builders.sign_in(client, phone)
    client.follow_redirects = True  # a page of the list may send on to where it lives


async def test_every_page_the_browser_tests_visit_is_valid_html(client, tmp_path):
    site = await _site()
    phones = {"visitor": None, **site.phones}
    walk = _pages(site)
    pages = Pages(tmp_path)
    seen = {_key(path) for paths in walk.values() for path in paths}
    found: list[tuple[str, str]] = []

    for person, paths in walk.items():
        await _visit_as(client, person, phones[person])
        for path in paths:
            page = pages.keep(f"{path} as {person}", await client.get(path))
            for href in _links(page):
                if (key := _key(href)) not in seen:
                    seen.add(key)
                    found.append((person, href))
    for person, href in found[:EXTRA_PAGES]:  # one page of each kind their links lead to
        await _visit_as(client, person, phones[person])
        response = await client.get(href)
        if response.status_code < 400:  # a link may lead to a page this person may not open
            pages.keep(f"{href} as {person}", response)

    # Forms shown again with their messages, as a refusal shows them.
    await _visit_as(client, "visitor", None)
    client.follow_redirects = False
    refused_login = await builders.post_form(
        client, "/login", {"phone": "13900009999", "password": "wrong password"}
    )
    pages.keep("/login refused", refused_login)
    refused_case = await builders.post_form(
        client, f"/c/{site.slug}/suggestions/new", {"category": "", "text": "", "phone": "123"}
    )
    assert refused_case.status_code == 422
    pages.keep("/suggestions/new refused", refused_case)

    assert len(pages.where) >= 60, f"only {len(pages.where)} pages were rendered"
    assert not pages.problems, "\n".join(pages.problems)

    files = sorted(str(tmp_path / name) for name in pages.where)
    checked = subprocess.run(
        [JAVA, "-jar", str(_checker()), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    messages = json.loads(checked.stdout)["messages"]
    errors = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        name = Path(urlsplit(m.get("url", "")).path).name
        errors.append(
            f"{pages.where.get(name, name)}, line {m.get('lastLine', '?')}: {m['message']}\n"
            f"    {m.get('extract', '').strip()}"
        )
    assert not errors, (
        f"the Nu Html Checker found {len(errors)} error(s) on "
        f"{len({e.split(',')[0] for e in errors})} of {len(pages.where)} pages:\n"
        + "\n".join(errors)
    )
