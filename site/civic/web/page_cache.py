"""A cache of what visitors are sent, as sent (compressed), so that the morning rush on a
community's pages costs one cheap database probe per view instead of the page's queries, its
template and its compression.

Freshness does not rest on anyone remembering to clear it: every entry is stamped with the
database's data version (db.py: SQLite's `PRAGMA data_version`, PostgreSQL's current snapshot),
read again for every request, and with the minute it was made (pages say "还剩 3 天", and a
claim runs out by the clock). Any commit through any worker or command changes the version, so
the very next view anywhere renders afresh; the rows a page reads are read after its version,
so an entry never holds data older than its stamp.

Only what is the same for every visitor is kept: a GET with no session cookie, answered 200
with no cookie set, not marked `no-store`, and whose page carries no CSRF token (a form's token
is its browser's own, web/csrf.py). Everything that picks which body a visitor gets is in the
key: the URL, the encoding, 长辈模式, and htmx's request headers. Entries live in this worker's
memory, bounded in bytes; each worker keeps its own."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, cast

from litestar.types import (
    ASGIApp,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

from civic.web.csrf import token_used
from civic.web.once import key_used
from civic.web.pages import ELDER_COOKIE

# A body bigger than this is not worth a place (photos are streamed and never pages).
_LARGEST = 512 * 1024
# The htmx headers that choose a fragment; HX-Current-URL only says where the click was.
_HTMX = frozenset({b"hx-request", b"hx-boosted", b"hx-target", b"hx-trigger", b"hx-trigger-name"})


@dataclass(frozen=True, slots=True)
class Entry:
    stamp: tuple[str, int]
    start: HTTPResponseStartEvent
    body: bytes


def _copy(start: HTTPResponseStartEvent) -> HTTPResponseStartEvent:
    """Outer middleware change a start message's headers in place: each send gets its own."""
    return {**start, "headers": list(start.get("headers", []))}


class Stamped(Protocol):
    @property
    def stamp(self) -> tuple[str, int]: ...
    @property
    def body(self) -> bytes: ...


Kept = TypeVar("Kept", bound=Stamped)


class PageCache(Generic[Kept]):
    """Entries by key, the least recently used dropped first once over `max_bytes`; an entry
    whose stamp is not the current one is gone."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, stamp: tuple[str, int]) -> Kept | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stamp != stamp:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Kept) -> None:
        self._drop(key)
        self._entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes and self._entries:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)


def _cookie(header: bytes, name: bytes) -> bytes | None:
    for part in header.split(b";"):
        key, _, value = part.strip().partition(b"=")
        if key == name:
            return value
    return None


def page_key(scope: HTTPScope, *, visitor: bool) -> str | None:
    """What picks the body a GET is answered with, other than the person: the URL, 长辈模式 and
    htmx's request headers, and for a visitor's page as sent, the encoding. None for a
    `visitor` key when the request has a session (its answer may be someone's own)."""
    if scope["method"] != "GET":
        return None
    cookies = b""
    encoding = b""
    htmx: list[bytes] = []
    host = b""
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookies += b";" + value
        elif name == b"accept-encoding":
            encoding = b"br" if b"br" in value else b"gzip" if b"gzip" in value else b""
        elif name in _HTMX:
            htmx.append(name + b"=" + value)
        elif name == b"host":
            host = value
    if visitor and _cookie(cookies, b"session") is not None:
        return None
    elder = _cookie(cookies, ELDER_COOKIE.encode()) == b"1"
    encoding = encoding if visitor else b"-"
    parts = [host, scope["raw_path"], scope["query_string"], encoding, b"e" if elder else b""]
    return b"\x00".join([*parts, *sorted(htmx)]).decode("latin-1")


def holds_own(scope: Scope) -> bool:
    """The page put something of its own browser's into a form: a CSRF token or a one-time
    key. It is never anyone else's page."""
    return token_used(scope) or key_used(scope)


def _keepable(start: HTTPResponseStartEvent, scope: Scope, body_size: int) -> bool:
    if start["status"] != 200 or body_size > _LARGEST or holds_own(scope):
        return False
    for name, value in start.get("headers", []):
        if name.lower() == b"set-cookie":
            return False
        if name.lower() == b"cache-control" and b"no-store" in value:
            return False
    return True


def page_cache_middleware(
    cache: PageCache[Entry], stamp_of: Callable[[Scope], Awaitable[tuple[str, int] | None]]
) -> Callable[[ASGIApp], ASGIApp]:
    """`stamp_of(scope)`: the data version and the minute, or None when there is no version to
    trust (then nothing is kept or served)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            http = scope["type"] == "http"
            key = page_key(cast("HTTPScope", scope), visitor=True) if http else None
            stamp = await stamp_of(scope) if key is not None else None
            if key is None or stamp is None:
                await app(scope, receive, send)
                return
            hit = cache.get(key, stamp)
            if hit is not None:
                await send(_copy(hit.start))
                await send({"type": "http.response.body", "body": hit.body, "more_body": False})
                return
            start: HTTPResponseStartEvent | None = None
            chunks: list[bytes] = []

            async def keeping_send(message: Message) -> None:
                nonlocal start
                if message["type"] == "http.response.start":
                    start = message
                elif message["type"] == "http.response.body" and start is not None:
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        body = b"".join(chunks)
                        if _keepable(start, scope, len(body)):
                            cache.put(key, Entry(stamp, _copy(start), body))
                await send(message)

            await app(scope, receive, keeping_send)

        return middleware

    return wrap
