"""Conditional GET for every page: a weak ETag from a hash of the body as sent, and 304 Not
Modified, with no body, when the browser already holds that body (If-None-Match). A revisit
of an unchanged page then costs a few hundred bytes on a slow link instead of the page.

The ETag is the hash of exactly what this request would receive, so it can only match a
body the same browser was sent before: a page that shows a signed-in person their own data
gets an ETag of its own. Responses that set a cookie are left alone (a 304 would still have
to carry the cookie, and a first visit is no revisit), and so are responses that must not be
stored. A response that chose its own ETag (the 议事厅's polled fragments) keeps it, and is
answered 304 here too when it matches (a copy from the page cache is still a 200)."""

from __future__ import annotations

import hashlib
from typing import cast

from litestar.datastructures import MutableScopeHeaders
from litestar.types import (
    ASGIApp,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

# What a 304 keeps of the 200 it stands for (RFC 9110 §15.4.5): the rest describes a body.
_KEPT = frozenset({"etag", "cache-control", "vary", "date", "expires", "content-location"})


def weak_etag(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison: W/"x" and "x" name the same body."""
    wanted = etag.removeprefix("W/")
    tags = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return any(tag in {wanted, "*"} for tag in tags)


def _taggable(start: HTTPResponseStartEvent) -> bool:
    if start["status"] != 200:
        return False
    headers = MutableScopeHeaders.from_message(start)
    return (
        headers.get("content-type", "").startswith("text/html")
        and "set-cookie" not in headers
        and "no-store" not in headers.get("cache-control", "")
    )


def conditional_get_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or cast("HTTPScope", scope)["method"] != "GET":
            await app(scope, receive, send)
            return
        if_none_match = ""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        start: HTTPResponseStartEvent | None = None
        chunks: list[bytes] = []

        async def tagging_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if not _taggable(message):
                    await send(message)
                    return
                start = message  # held until the whole body is known
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = MutableScopeHeaders.from_message(start)
            etag = headers.get("etag") or weak_etag(body)
            headers["ETag"] = etag
            if if_none_match and matches(if_none_match, etag):
                start["status"] = 304
                start["headers"] = [
                    (name, value)
                    for name, value in start.get("headers", [])
                    if name.decode("latin-1").lower() in _KEPT
                ]
                body = b""
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await app(scope, receive, tagging_send)

    return middleware
