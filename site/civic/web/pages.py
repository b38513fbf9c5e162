"""Rendering a page, or only its fragment when htmx asks for one."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.plugins.htmx import HTMXDetails, HTMXRequest
from litestar.response import Redirect, Template

ELDER_COOKIE = "elder"
DONE = "done"  # session key: the step just taken, and the page that is to say so


def htmx_of(request: Request) -> HTMXDetails:
    # Every request is an HTMXRequest (the app's request_class), but handlers, guards and
    # exception handlers are typed with Litestar's Request.
    return request.htmx if isinstance(request, HTMXRequest) else HTMXDetails(request)


def is_htmx(request: Request) -> bool:
    return bool(htmx_of(request))


def is_boosted(request: Request) -> bool:
    """A boosted link or form: htmx swaps the whole body, so the whole page is sent."""
    htmx = htmx_of(request)
    return htmx.boosted and not htmx.history_restore_request


def wants_fragment(request: Request) -> bool:
    """An htmx request that swaps part of a page (not a boosted link, not a history restore)."""
    htmx = htmx_of(request)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def current_path(request: Request) -> str:
    """The path as the browser asked for it, with its query: where to come back to."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    query = request.scope.get("query_string", b"")
    return (raw + (b"?" + query if query else b"")).decode("latin-1")


def render(
    request: Request,
    template: str,
    *,
    fragment: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The full page, or `fragment` alone for htmx; the page includes that same fragment."""
    context.setdefault("viewer", request.state.get("viewer"))
    context.update(
        elder=request.cookies.get(ELDER_COOKIE) == "1",
        boosted=is_boosted(request),
        path=current_path(request),
    )
    name = fragment if fragment and wants_fragment(request) else template
    return Template(template_name=name, context=context, status_code=status, headers=headers)


def now_of(request: Request) -> datetime:
    """ "Now" from the app's clock, which tests and the demo set."""
    return request.app.state.clock.now()


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to after a form; anything else falls back to `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target


def see_other(path: str) -> Redirect:
    """The answer to a successful form: go and look at the result (303, so a reload is safe)."""
    return Redirect(path=path, status_code=303)


def tell_done(request: Request, back: str, verb: str) -> None:
    """Remember, for the page a step redirects to, which step was taken, so that page can say
    what happened (`told_done`). Kept in the session, and only when there is one: everyone who
    takes a step has one already (staff and helpers are signed in, a filer who rates has
    signed in or proved it with their phone's digits, which the session keeps), so this never
    creates a session for a visitor. Not in the address (?done=…): the pages people bookmark,
    share and print keep their address, a reload or a shared link does not say it again, and a
    one-time key's replay goes to the same address as the first answer."""
    session = request.scope.get("session")
    if isinstance(session, dict) and session:
        request.set_session({**session, DONE: [urlsplit(back).path, verb]})


def told_done(request: Request, path: str) -> str:
    """The step taken just before coming to `path`, once (the feature says it in words); ""
    otherwise."""
    session = request.scope.get("session")
    kept = session.get(DONE) if isinstance(session, dict) else None
    if not isinstance(kept, list) or len(kept) != 2 or not isinstance(session, dict):
        return ""
    request.set_session({k: v for k, v in session.items() if k != DONE})
    same = kept[0].rstrip("/") == urlsplit(path).path.rstrip("/")  # the route's path has none
    return str(kept[1]) if same else ""
