"""PDF notices cost seconds of CPU each: the same content is rendered once, one address can
ask for only so many, and a burst of them neither piles up nor holds up the pages."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Callable

from civic.accounts.roles import Role
from civic.notices import pdf
from civic.places.tables import Community
from tests import builders
from tests.builders import text_of


async def until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.01)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


async def test_the_same_poster_is_rendered_once_and_again_when_what_it_shows_changes(
    client, tmp_path
):
    c = await builders.community(office_phone="010-6351-2201")
    before = pdf.RENDERING.total
    first = await client.get(f"/c/{c.slug}/poster.pdf")
    second = await client.get(f"/c/{c.slug}/poster.pdf")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert pdf.RENDERING.total == before + 1

    await Community.update({Community.office_phone: "010-6351-9999"}).where(
        Community.slug == c.slug
    )
    changed = await client.get(f"/c/{c.slug}/poster.pdf")
    assert changed.status_code == 200
    assert pdf.RENDERING.total == before + 2
    text = pdf_text(changed.content, tmp_path)
    assert "010-6351-9999" in text and "010-6351-2201" not in text


async def test_a_report_for_the_public_and_for_staff_are_never_one_cached_pdf(client, tmp_path):
    """The cache is keyed by what the PDF shows, so what staff see cannot reach a visitor."""
    c = await builders.community()
    _, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id))
    public = await client.get(f"/c/{c.slug}/suggestions/report.pdf", params={"month": "2026-10"})
    await builders.sign_in(client, staff_phone)
    staff_pdf = await client.get(
        f"/staff/c/{c.slug}/suggestions/report.pdf", params={"month": "2026-10"}
    )
    assert public.status_code == staff_pdf.status_code == 200
    assert "工作人员版本" in pdf_text(staff_pdf.content, tmp_path).replace(" ", "")
    assert "工作人员版本" not in pdf_text(public.content, tmp_path).replace(" ", "")


async def test_an_address_asking_for_too_many_pdfs_is_told_to_wait_in_chinese(side_by_side):
    c = await builders.community()
    poster = f"/c/{c.slug}/poster.pdf"
    async with side_by_side("10.0.0.1") as client:
        for _ in range(pdf.PDFS_PER_MINUTE):
            assert (await client.get(poster)).status_code == 200
        refused = await client.get(poster)
        assert refused.status_code == 429
        assert "打印文件打开得太频繁了，请 1 分钟后再试。" in text_of(refused.text)
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert (await client.get(f"/c/{c.slug}/")).status_code == 200  # pages are not counted
    async with side_by_side("10.0.0.2") as neighbour:
        assert (await neighbour.get(poster)).status_code == 200


async def test_while_every_renderer_is_busy_pages_answer_and_one_pdf_too_many_is_turned_away(
    side_by_side, monkeypatch
):
    full = pdf.RENDERERS + pdf.WAITING
    communities = [await builders.community() for _ in range(full + 1)]
    posters = [f"/c/{c.slug}/poster.pdf" for c in communities]
    release = threading.Event()
    real = pdf.write_pdf

    def held_back(html: str, font_css: str) -> bytes:
        release.wait(timeout=60)
        return real(html, font_css)

    monkeypatch.setattr(pdf, "write_pdf", held_back)
    before = pdf.RENDERING.total
    pdf.RENDERING.reset_peak()
    async with side_by_side() as client:
        try:
            asked = [asyncio.create_task(client.get(p)) for p in posters[:full]]
            await until(lambda: pdf.under_way() == full and pdf.RENDERING.now == pdf.RENDERERS)

            # Every renderer is held and the queue is full: pages are served all the same.
            assert (await client.get("/healthz")).status_code == 200
            district = await client.get("/")
            assert district.status_code == 200 and "测试" in district.text
            assert (await client.get(f"/c/{communities[0].slug}/")).status_code == 200

            # One more PDF is turned away at once, in Chinese, rather than piling up.
            refused = await client.get(posters[-1])
            assert refused.status_code == 503
            assert "现在打印文件的人比较多，请过一会儿再试。" in text_of(refused.text)
            assert refused.headers["retry-after"] == "10"

            # The same PDF as one already under way adds no work: it waits for that render.
            again = asyncio.create_task(client.get(posters[0]))
            done, _ = await asyncio.wait([again], timeout=0.5)
            assert not done
            assert not any(task.done() for task in asked)
            assert pdf.RENDERING.peak <= pdf.RENDERERS
        finally:
            release.set()
        answers = await asyncio.gather(*asked, again)
        assert [a.status_code for a in answers] == [200] * (full + 1)
        assert answers[-1].content == answers[0].content
        assert pdf.RENDERING.total == before + full
        assert pdf.under_way() == 0
