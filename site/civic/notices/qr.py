"""QR codes as small SVG images, for pages and PDF notices."""

from __future__ import annotations

import base64
import io

import segno


def qr_svg(data: str, scale: int = 10) -> str:
    """An SVG data URI of a QR code of `data`, with a quiet zone around it."""
    buffer = io.BytesIO()
    segno.make_qr(data, error="m").save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, nl=False
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
