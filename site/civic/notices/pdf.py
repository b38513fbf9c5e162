"""A4 PDF notices: a Jinja template rendered by WeasyPrint with the CJK font embedded.

A PDF costs one to four seconds of CPU where a page costs milliseconds, and the public ones
(poster, report, receipt, thank-you letter) can be asked for by anyone. So every PDF goes
through render_pdf, which
- counts the request against the client address's quota (PDFS_PER_MINUTE, then a Chinese 429);
- answers from a cache keyed by the HTML the PDF is made from, so a notice whose content has
  not changed is rendered once however often it is asked for, and the same notice asked for
  by several people at once is rendered once for all of them. Keyed by the content, the cache
  can never hand one reader's PDF to another who would see something else, nor be stale;
- renders in a pool of RENDERERS threads, off the event loop, with at most WAITING renders
  queued behind them: beyond that the answer is 503 at once, instead of a pile-up that would
  slow every page of the worker."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache, partial
from typing import Any
from urllib.parse import quote

from litestar import Request, Response

from civic.errors import Busy
from civic.notices.fonts import pdf_font
from civic.web.client import client_address
from civic.web.gauge import Gauge
from civic.web.i18n import _
from civic.web.quota import Quota
from civic.web.templating import make_environment

RENDERERS = 2
"""PDFs rendered at the same time in one worker. WeasyPrint holds the GIL for most of its
work, so more at once would not finish sooner; they would only take turns with the pages."""
WAITING = 4
"""Different PDFs that may wait for a renderer; one more is answered 503 at once. The last in
line waits two renders or so, a few seconds."""
PDFS_PER_MINUTE = 30
"""PDFs one client address may ask for in a minute: far more than anyone prints, far fewer
than a script would ask for. Cached ones count too; they are cheap, the requests are not free."""
CACHE_BYTES = 32 * 1024 * 1024
"""Rendered PDFs kept in each worker, the least recently asked for dropped first: a notice is
80 to 200 KB, so a few hundred of them."""

RENDERING = Gauge()
"""PDFs being rendered in this worker now; `total` counts every render since it started."""
_renderers = ThreadPoolExecutor(max_workers=RENDERERS, thread_name_prefix="pdf")
# The cache and the renders under way are shared by the request handlers and the pool's
# threads, which hand back each finished render.
_lock = threading.Lock()
_cache: OrderedDict[str, bytes] = OrderedDict()
_cached_bytes = 0
_under_way: dict[str, Future[bytes]] = {}

_env = make_environment()

# WeasyPrint reports every rendering step at INFO; only its warnings belong in the site's log.
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@cache
def _font_css(configured: str) -> str:
    url = pdf_font(configured).resolve().as_uri()
    return f"@font-face {{ font-family: CivicCJK; src: url({url}); }}"


def write_pdf(html: str, font_css: str) -> bytes:
    """The PDF of `html`, with the font of `font_css` embedded: the costly part, in the pool."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    font = CSS(string=font_css, font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[font], font_config=fonts)


def _render(html: str, font_css: str) -> bytes:
    with RENDERING.held():
        return write_pdf(html, font_css)


def _remember(key: str, pdf: bytes) -> None:
    global _cached_bytes
    if len(pdf) > CACHE_BYTES // 8:
        return  # one huge PDF would push out everything else
    _cache[key] = pdf
    _cached_bytes += len(pdf)
    while _cached_bytes > CACHE_BYTES:
        _, dropped = _cache.popitem(last=False)
        _cached_bytes -= len(dropped)


def _finished(key: str, future: Future[bytes]) -> None:
    with _lock:
        _under_way.pop(key, None)
        if not future.cancelled() and future.exception() is None:
            _remember(key, future.result())


def _pdf_of(html: str, font_css: str) -> bytes | Future[bytes]:
    """The cached PDF, or the render under way that will give it; raises Busy when the
    renderers and the queue behind them are full."""
    key = hashlib.sha256(f"{font_css}\0{html}".encode()).hexdigest()
    with _lock:
        if (pdf := _cache.get(key)) is not None:
            _cache.move_to_end(key)
            return pdf
        if (future := _under_way.get(key)) is not None:
            return future
        if len(_under_way) >= RENDERERS + WAITING:
            raise Busy(_("现在打印文件的人比较多，请过一会儿再试。"), retry_after=10)
        future = _renderers.submit(_render, html, font_css)
        _under_way[key] = future
    # Outside the lock: a render already finished calls back at once, in this thread.
    future.add_done_callback(partial(_finished, key))
    return future


def under_way() -> int:
    """Different PDFs being rendered or waiting for a renderer in this worker now."""
    with _lock:
        return len(_under_way)


def forget_all() -> None:
    """Empties the cache (for a test that counts renders from nothing)."""
    global _cached_bytes
    with _lock:
        _cache.clear()
        _cached_bytes = 0


def _quota(request: Request) -> Quota:
    return Quota(
        request.app.stores.get("quota"),
        PDFS_PER_MINUTE,
        60,
        _("打印文件打开得太频繁了，请 {minutes} 分钟后再试。"),
    )


async def render_pdf(request: Request, template: str, **context: Any) -> bytes:
    """The PDF of `template` with `context`, for this request: throttled per client address,
    from the cache when the same content was rendered before, else rendered in the PDF pool.
    Raises Throttled (429) past the address's quota and Busy (503) when the pool is full."""
    await _quota(request).take(f"pdf:{client_address(request)}")
    html = _env.get_template(template).render(**context)
    found = _pdf_of(html, _font_css(request.app.state.settings.pdf_font))
    if isinstance(found, bytes):
        return found
    # Shielded: a reader who hangs up must not cancel a render others may be waiting for.
    return await asyncio.shield(asyncio.wrap_future(found))


def pdf_response(pdf: bytes, filename: str) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"},
    )
