"""A CSV export opens in a spreadsheet as text: nothing typed by a person runs as a formula."""

from __future__ import annotations

import csv
import io

from civic.web.csv_export import cell, csv_response


def test_text_that_a_spreadsheet_would_run_is_quoted_and_numbers_stay_numbers():
    rows = [
        ['=HYPERLINK("http://x","点我")', "+1", "-2+3", "@SUM(A1)", "\tx", "张三丰", 12, -3, 0.48]
    ]
    body = csv_response(rows, "figures.csv").content
    assert body.startswith("\ufeff".encode())
    read = next(csv.reader(io.StringIO(body.decode().lstrip("\ufeff"))))
    assert read == [
        '\'=HYPERLINK("http://x","点我")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "张三丰",
        "12",
        "-3",
        "0.48",
    ]


def test_an_empty_cell_and_plain_words_are_left_alone():
    assert cell("") == ""
    assert cell("杏花社区") == "杏花社区"
    assert cell(None) is None
