"""A4 PDF notices: a Jinja template rendered by WeasyPrint with the CJK font embedded."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from litestar import Response

from civic.notices.fonts import pdf_font
from civic.web.templating import make_environment

_env = make_environment()

# WeasyPrint reports every rendering step at INFO; only its warnings belong in the site's log.
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@cache
def _font_css(configured: str) -> str:
    url = pdf_font(configured).resolve().as_uri()
    return f"@font-face {{ font-family: CivicCJK; src: url({url}); }}"


def render_pdf_sync(template: str, font: str = "", **context: Any) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = _env.get_template(template).render(**context)
    fonts = FontConfiguration()
    font_css = CSS(string=_font_css(font), font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[font_css], font_config=fonts)


async def render_pdf(template: str, font: str = "", **context: Any) -> bytes:
    """Renders in a worker thread: a page takes a few tenths of a second."""
    return await anyio.to_thread.run_sync(lambda: render_pdf_sync(template, font=font, **context))


def pdf_response(pdf: bytes, filename: str) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"},
    )
