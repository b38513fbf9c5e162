"""Pages that many signed-in people see alike, rendered once per data version for all of them.

A resident reading the board sees what every other resident sees, except in the header (the
messages link with their unread count) and the CSRF token and one-time keys their browser
sends back. A route that knows its viewer sees the page as a broader audience does
(accounts/viewer.py: SOMEONE, anyone signed in with no role or tie the page cares about; or
anyone at a desk the guard has let in) builds the page for that audience, not for the
person: it is rendered once, kept with slots where each browser's own parts go, and filled
in for each viewer. The page is never shown the person, so it cannot show them to anyone
else; what a route gets wrong is a missing button, not a leak (tests/http/test_shared_views.py
compares every such page with the person's own rendering).

Entries are stamped like the visitors' page cache (web/page_cache.py), with the data version
and the minute, so any commit through any worker is on the very next view. A page that put
a token or a key anywhere but in its slot is its browser's own and is never kept."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar, cast

from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.response import Template
from litestar.types import Scope
from markupsafe import Markup

from civic.web.csrf import token_for
from civic.web.once import new_key
from civic.web.page_cache import PageCache, holds_own, page_key
from civic.web.pages import current_path

_LARGEST = 512 * 1024
_MARK = secrets.token_hex(8)  # nobody's text can name a slot: its name is this process's secret


class Slots(NamedTuple):
    """What is each browser's own, in a page rendered for an audience: the account links, the
    CSRF token (web/csrf.py: csrf_token) and each form's one-time key (web/once.py). The
    token's and keys' slots are letters and digits, the same escaped or not."""

    account: Markup
    token: str
    once: str


SLOTS = Slots(Markup("<!--account-%s-->") % _MARK, f"token{_MARK}", f"once{_MARK}")


@dataclass(frozen=True, slots=True)
class View:
    stamp: tuple[str, int]
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class SharedViews:
    """The kept views, and where their stamps come from (app.py)."""

    cache: PageCache[View]
    stamp_of: Callable[[Scope], Awaitable[tuple[str, int] | None]]


V = TypeVar("V")
R = TypeVar("R", bound=Response[Any])


async def seen_as(
    request: Request,
    person: V | None,
    audience: V | None,
    build: Callable[[V | None], Awaitable[Template | R]],
) -> Template | Response[bytes] | R:
    """The page `build(audience)` makes, with `person`'s own header. `audience` is who the
    route knows `person` sees the page as (None: as a visitor); `person` itself when the page
    is theirs alone, and then it is built for them as any page is. What `build` answers with
    other than a page (a redirect, a PDF) is sent as it is."""
    shared: SharedViews | None = request.app.state.get("shared_views")
    if person is None or audience is person or shared is None:
        return await build(person)
    key = page_key(request.scope, visitor=False)
    stamp = await shared.stamp_of(request.scope) if key is not None else None
    hit = shared.cache.get(f"{key}\x00{audience!r}", stamp) if stamp is not None else None
    cookies: list[Cookie] = []
    if hit is None:
        template = await build(audience)
        if not isinstance(template, Template):
            return template
        hit = _rendered(request, template, audience, stamp or ("", 0))
        if stamp is not None and _keepable(request.scope, template, hit):
            shared.cache.put(f"{key}\x00{audience!r}", hit)
        cookies = list(template.cookies)  # this response's only: a page with any is not kept
    return Response(
        content=_filled(request, person, hit.body),
        status_code=hit.status,
        headers=hit.headers,
        cookies=cookies,
        media_type=MediaType.HTML,
    )


def _rendered(request: Request, template: Template, audience: Any, stamp: tuple[str, int]) -> View:
    engine: Any = request.app.template_engine
    context = template.create_template_context(request)
    context.update(viewer=audience, slots=SLOTS)
    body = engine.get_template(cast("str", template.template_name)).render(**context)
    return View(stamp, template.status_code or 200, dict(template.headers), body.encode())


def _keepable(scope: Scope, template: Template, view: View) -> bool:
    return (
        view.status == 200
        and not template.cookies
        and len(view.body) <= _LARGEST
        and not holds_own(scope)
    )


def _filled(request: Request, person: Any, body: bytes) -> bytes:
    engine: Any = request.app.template_engine
    account = engine.get_template("_account.html").render(viewer=person, path=current_path(request))
    body = body.replace(SLOTS.account.encode(), account.encode())
    if SLOTS.token.encode() in body:
        body = body.replace(SLOTS.token.encode(), token_for(request.scope).encode())
    first, *rest = body.split(SLOTS.once.encode())
    keys = (new_key(request.scope).encode() for _ in rest)
    return first + b"".join(key + part for key, part in zip(keys, rest, strict=True))
