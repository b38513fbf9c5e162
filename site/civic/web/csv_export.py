"""Tables for a spreadsheet: what staff export (figures, lists) opens in Excel or WPS as is."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from litestar import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is run as a formula by Excel and WPS (a name typed as
=HYPERLINK(…) would become a link that leaks the sheet); such text gets a leading quote."""


def cell(value: object) -> object:
    """A value as a spreadsheet should show it: numbers as numbers, text never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[Sequence[object]], filename: str) -> Response[bytes]:
    """A CSV download; the BOM makes Excel read the Chinese correctly."""
    out = io.StringIO()
    csv.writer(out).writerows([cell(v) for v in row] for row in rows)
    return Response(
        ("\ufeff" + out.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
