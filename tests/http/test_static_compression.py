"""Static files are compressed once per process, at the best quality, and the stored bytes
answer every request in the encoding the browser takes; the page compression leaves them
alone."""

from __future__ import annotations

import gzip

import brotli
import pytest
from litestar.testing import AsyncTestClient

from civic.web import static
from civic.web.static import STATIC_DIR, static_url


async def raw(client: AsyncTestClient, path: str, accept: str) -> tuple[dict[str, str], bytes]:
    """The response's headers and its body as sent, before any decoding."""
    async with client.stream("GET", path, headers={"Accept-Encoding": accept}) as response:
        assert response.status_code == 200
        body = b"".join([chunk async for chunk in response.aiter_raw()])
        return dict(response.headers), body


@pytest.mark.parametrize("name", ["style.css", "site.js"])
async def test_a_static_file_in_brotli_is_the_file_compressed_at_the_best_quality(
    client: AsyncTestClient, name: str
) -> None:
    original = (STATIC_DIR / name).read_bytes()
    headers, body = await raw(client, static_url(name), "br, gzip")
    assert headers["content-encoding"] == "br"
    assert headers["vary"] == "Accept-Encoding"
    assert body == brotli.compress(original, quality=11, mode=brotli.MODE_TEXT)
    assert brotli.decompress(body) == original
    assert headers["content-length"] == str(len(body))
    assert "immutable" in headers["cache-control"]


async def test_gzip_for_a_browser_without_brotli_and_plain_for_one_without_either(
    client: AsyncTestClient,
) -> None:
    original = (STATIC_DIR / "style.css").read_bytes()
    headers, body = await raw(client, static_url("style.css"), "gzip, deflate")
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == original
    headers, body = await raw(client, static_url("style.css"), "identity")
    assert "content-encoding" not in headers
    assert body == original
    # br refused outright: gzip, not br.
    headers, _ = await raw(client, static_url("style.css"), "br;q=0, gzip")
    assert headers["content-encoding"] == "gzip"


async def test_a_file_is_compressed_once_however_many_times_it_is_asked_for(
    client: AsyncTestClient,
) -> None:
    path = static_url("htmx-2.0.11.min.js")
    _, first = await raw(client, path, "br, gzip")
    made = static.compressed.made
    for _ in range(3):
        _, again = await raw(client, path, "gzip, deflate, br")
        assert again == first
    assert static.compressed.made == made
    # Another encoding is compressed once too, then kept.
    await raw(client, path, "gzip")
    assert static.compressed.made in {made, made + 1}
    after_gzip = static.compressed.made
    await raw(client, path, "gzip")
    assert static.compressed.made == after_gzip
