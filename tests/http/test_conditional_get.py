"""A revisit of an unchanged page answers 304 with no body; a changed page answers 200 with
its new body. Every page, through one middleware (civic/web/conditional.py)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from civic.places import service as places
from tests import builders
from tests.builders import text_of


async def revisit(client: AsyncTestClient, path: str) -> str:
    """Open the page twice: a page without a form sets no cookie, so the first answer already
    carries the ETag a revisit is checked against."""
    first = await client.get(path)
    assert first.status_code == 200
    assert "set-cookie" not in first.headers
    second = await client.get(path)
    assert second.status_code == 200
    assert second.headers["etag"] == first.headers["etag"]
    return second.headers["etag"]


async def test_a_revisit_of_an_unchanged_page_answers_304(client: AsyncTestClient) -> None:
    community = await builders.community(name="杏花社区")
    path = f"/c/{community.slug}/"
    etag = await revisit(client, path)
    assert etag.startswith('W/"')
    again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "private, no-cache"
    assert "content-encoding" not in again.headers
    assert again.headers["content-security-policy"]  # the security headers still apply
    # A browser holding another version, or several: only a match counts.
    other = await client.get(path, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and "杏花社区" in other.text
    listed = await client.get(path, headers={"If-None-Match": f'"x", {etag.removeprefix("W/")}'})
    assert listed.status_code == 304


async def test_a_changed_page_answers_200_with_what_changed(client: AsyncTestClient) -> None:
    community = await builders.community()
    path = f"/c/{community.slug}/"
    etag = await revisit(client, path)
    await places.create_grid(community.id, "第九网格")
    changed = await client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "第九网格" in text_of(changed.text)
    assert changed.headers["etag"] != etag
    fresh = await client.get(path, headers={"If-None-Match": changed.headers["etag"]})
    assert fresh.status_code == 304


async def test_a_signed_in_persons_page_has_an_etag_of_their_own(
    client: AsyncTestClient,
) -> None:
    community = await builders.community()
    path = f"/c/{community.slug}/"
    visitor_etag = await revisit(client, path)
    _, phone = await builders.person(name="李秀英")
    await builders.sign_in(client, phone)
    theirs = await client.get(path, headers={"If-None-Match": visitor_etag})
    # Their page is not the visitor's: the visitor's copy is not taken for theirs.
    assert theirs.status_code == 200
    assert theirs.headers.get("etag") != visitor_etag


async def test_a_response_that_sets_a_cookie_or_is_not_a_page_gets_no_etag(
    client: AsyncTestClient,
) -> None:
    first = await client.get("/login")
    assert "set-cookie" in first.headers and "etag" not in first.headers
    health = await client.get("/healthz")
    assert health.status_code == 200 and "etag" not in health.headers
    missing = await client.get("/c/nowhere/")
    assert missing.status_code == 404 and "etag" not in missing.headers
