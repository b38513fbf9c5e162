"""A case filed as a visitor with a phone number becomes the case of whoever signs in with that
number and opens it with its code; nobody else's."""

from __future__ import annotations

import asyncio
import re

from civic.accounts.viewer import load_viewer
from civic.suggestions import service
from civic.suggestions.tables import Case
from tests import builders
from tests.builders import post_form, sign_in, text_of

PHONE = "13912345678"


async def _file_as_visitor(client, slug: str, phone: str = PHONE) -> str:
    response = await post_form(
        client,
        f"/c/{slug}/suggestions/new",
        {"category": "设施维修", "text": "3号楼电梯又停了", "public": "0", "phone": phone},
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/s/([A-Z2-9]{8})\?filed=1", response.headers["location"])
    assert match
    return match.group(1)


async def test_the_filer_signs_in_opens_the_case_and_finds_it_under_me(client):
    c = await builders.community()
    code = await _file_as_visitor(client, c.slug)
    client.cookies.clear()
    person_id, _ = await builders.person(name="王秀英", phone=PHONE)
    await sign_in(client, PHONE)
    before = await client.get("/me")
    assert "3号楼电梯又停了" not in before.text

    page = await client.get(f"/s/{code}")
    assert page.status_code == 200 and "3号楼电梯又停了" in page.text
    assert await Case.select(Case.filer).where(Case.code == code).first() == {"filer": person_id}
    me = text_of((await client.get("/me")).text)
    assert "我反映的事" in me and "3号楼电梯又停了" in me


async def test_someone_else_signed_in_is_never_linked(client):
    c = await builders.community()
    code = await _file_as_visitor(client, c.slug)
    client.cookies.clear()
    await builders.person(name="李四", phone="13800001111")
    await sign_in(client, "13800001111")
    page = await client.get(f"/s/{code}")
    assert page.status_code == 200 and "3号楼电梯又停了" not in page.text  # private case
    assert await Case.select(Case.filer).where(Case.code == code).first() == {"filer": None}
    assert "3号楼电梯又停了" not in (await client.get("/me")).text


async def test_a_case_is_linked_once_however_often_it_is_opened(client):
    c = await builders.community()
    code = await _file_as_visitor(client, c.slug)
    person_id, _ = await builders.person(name="王秀英", phone=PHONE)
    viewer = await load_viewer(person_id)
    assert viewer is not None
    # Each read the case before any linked it: all eight try the UPDATE.
    refs = [await service.load(code) for _ in range(8)]
    results = await asyncio.gather(*(service.link_filer(viewer, ref) for ref in refs))
    assert results.count(True) == 1
    assert await Case.select(Case.filer).where(Case.code == code).first() == {"filer": person_id}


async def test_the_lookup_page_says_what_to_do_when_the_code_is_lost(client):
    page = await client.get("/s/")
    words = text_of(page.text)
    assert "查询码丢了" in words and "社区居委会" in words
    assert 'href="/login?next=/me"' in page.text
