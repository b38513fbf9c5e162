"""What may come in from outside, declared once for every feature: the bounds of a number or a
code in an address, the characters no text may hold, and names and titles cleaned of what
cannot be seen.

A handler declares its path and query parameters with these types (`wish_id: FromPath[Id]`,
`page: FromQuery[PageNumber] = 1`): Litestar refuses anything else with a 400 page before the
handler runs. A form declares its fields in web/forms.py. Text anywhere (path, query, form) is
checked here for control characters by `refuse_control_characters`, the one middleware that
sees every request."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated
from urllib.parse import parse_qsl

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter, ParameterKwarg
from litestar.types import ASGIApp, Receive, Scope, Send

from civic.errors import DomainError
from civic.web.i18n import _

MAX_ID = 2**31 - 1
"""The largest number a column holds (PostgreSQL's integer): a larger id names nothing, and
sent to the database it is an error rather than "not found"."""
MAX_PAGE = 10_000

Id = Annotated[int, Parameter(ge=1, le=MAX_ID)]
"""A row's id in an address."""
MaybeId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
"""An id in a query that may be left out (a filter): `FromQuery[Id | None]` would lose the
bounds, as Litestar reads them from the outer annotation only."""
PageNumber = Annotated[int, Parameter(ge=1, le=MAX_PAGE)]
TypedCode = Annotated[str, Parameter(max_length=32)]
"""A code as a person may type it into an address (K7QM-3XPA, lower case, full-width): a few
characters more than the code itself, never a paragraph."""


def one_of(choices: Iterable[str]) -> ParameterKwarg:
    """A query parameter picked from a list (a filter), or empty for all:
    `status: FromQuery[Annotated[str, one_of(...)]] = ""`."""
    return Parameter(pattern=f"^(?:{'|'.join(re.escape(c) for c in choices)})?$")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 control characters but tab and line breaks: nobody types them, PostgreSQL refuses
NUL, and the others garble what is shown or exported."""

_FORMAT = "Cf"
"""Format characters: direction overrides and isolates, zero-width spaces and joiners, the byte
order mark, soft hyphens. They do not show: taken out, a name with a zero-width space inside
is the name again, not a look-alike of it."""
_BREAKS = frozenset({"Cc", "Zl", "Zp"})
"""Controls and line or paragraph separators: in a name they stand for a space."""


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def clean_name(text: str) -> str:
    """A person's name or a title as it is stored and shown: without the characters that do
    not show (a right-to-left override, U+202E, reverses what follows it on the page; a
    zero-width space, U+200B, makes two people of one name), spaces of every kind made one,
    trimmed.
    Every service that stores a name or a title calls it."""
    text = unicodedata.normalize("NFC", text)
    shown = "".join(
        " " if unicodedata.category(c) in _BREAKS else c
        for c in text
        if unicodedata.category(c) != _FORMAT
    )
    return " ".join(shown.split())


def too_long(text: str, limit: int | None) -> str:
    """The refusal of a text over its limit, saying by how much; "" when it fits. No limit
    (a Varchar column of no length) is what PostgreSQL holds: any text."""
    if limit is None or len(text) <= limit:
        return ""
    return _("最多 {n} 个字，现在是 {m} 个字。").format(n=limit, m=len(text))


def whole_number(typed: str) -> int | None:
    """A whole number as typed, full-width digits (a Chinese keyboard's) accepted; None for
    anything else, and for numbers no column could hold."""
    text = unicodedata.normalize("NFKC", typed).strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", text):
        return None
    number = int(text)
    return number if -MAX_ID <= number <= MAX_ID else None


CONTROL_REFUSED = _(
    "提交的内容里有不能识别的符号（常见于从别处复制来的文字），请删掉重新输入后再试。"
)


def _check_text(values: list[str]) -> None:
    if any(has_control_characters(v) for v in values):
        raise DomainError(CONTROL_REFUSED)


_FORMS = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})


async def _check_form(scope: Scope, receive: Receive) -> None:
    """The form's fields and names; read once here and kept for the handler, as the CSRF
    check does."""
    request: Request = Request(scope, receive)
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.content_type[0] not in _FORMS:
        return
    try:
        form = await request.form()
    except UnicodeDecodeError:  # a multipart field that is not UTF-8 text
        raise DomainError(CONTROL_REFUSED) from None
    texts = [v for _k, v in form.multi_items() if isinstance(v, str)]
    _check_text([*form.keys(), *texts])
    # A CSRF token is hex; any other character makes the check fail, not crash.
    tokens = [
        *form.getall("_csrf_token", []),
        request.headers.get("x-csrftoken", ""),
        request.cookies.get("csrftoken", ""),
    ]
    if not all(isinstance(t, str) and t.isascii() for t in tokens):
        raise PermissionDeniedException("CSRF token verification failed")


def refuse_control_characters(app: ASGIApp) -> ASGIApp:
    """A 400 page for a control character in the path, the query or a form field, before any
    handler (or the database) sees it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            pairs = parse_qsl(query, keep_blank_values=True)
            _check_text([scope["path"], *(part for pair in pairs for part in pair)])
            await _check_form(scope, receive)
        await app(scope, receive, send)

    return middleware
