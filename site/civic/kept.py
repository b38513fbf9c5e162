"""Rows a request reads again and again (its session, its person, whether they are a helper,
the community its URL names), kept in the process for as long as the database holds still.

Each request reads the data version once (db.py: a value any commit through any worker
changes), the first time something asks for it, and a value is kept under the version read
before it was loaded. A request that sees the same version sees the same committed data, so
a kept value is never older than what a fresh read would give it; any write anywhere moves
the version, and the next request reads again. Only GET and HEAD requests keep or are given
kept values: a request that may write reads everything fresh, its own writes included.
Outside a request (a command, a test calling a service), every ask is a read.

Kept values are shared by every request of the process: they must be immutable (frozen
dataclasses, bytes, tuples), and keyed by everything they depend on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

from litestar.types import ASGIApp, Receive, Scope, Send

T = TypeVar("T")
_LARGEST = 10_000  # values kept under one version; past it, the oldest half goes
_UNREAD = object()


class Versioned(Protocol):
    async def data_version(self) -> str | None: ...


@dataclass
class Kept:
    """One process's kept values, under the one version they were loaded at."""

    engine: Versioned
    version: str | None = None
    values: dict[Hashable, Any] = field(default_factory=dict)

    def clear(self) -> None:
        self.version = None
        self.values.clear()


@dataclass
class _Request:
    kept: Kept
    version: Any = _UNREAD


_REQUEST: ContextVar[_Request | None] = ContextVar("civic_kept_request", default=None)


async def data_version() -> str | None:
    """The data version this request saw first; None outside a request or with no version to
    trust (then nothing is kept)."""
    request = _REQUEST.get()
    if request is None:
        return None
    if request.version is _UNREAD:
        request.version = await request.kept.engine.data_version()
    return cast("str | None", request.version)


async def kept(
    key: Hashable,
    load: Callable[[], Awaitable[T]],
    *,
    at_version: Callable[[], Awaitable[tuple[str | None, T]]] | None = None,
    misses: bool = False,
) -> T:
    """What `load()` gives, from the values kept under this request's data version when one
    is there. `at_version`, the same read that also says the version it was made at (db.py:
    rows_at_version), lets the first ask of a request read its version at no extra statement.
    A miss (None) is kept only with `misses`, for keys nobody can choose (the signed-in
    person's own): anyone can send ids that name nothing."""
    request = _REQUEST.get()
    if request is None:
        return await load()
    if request.version is _UNREAD and at_version is not None:
        request.version, value = await at_version()
        _keep(request, key, value, misses)
        return value
    version = await data_version()
    if version is None:
        return await load()
    store = request.kept
    if store.version == version and key in store.values:
        return cast("T", store.values[key])
    value = await load()
    _keep(request, key, value, misses)
    return value


def _keep(request: _Request, key: Hashable, value: Any, misses: bool) -> None:
    store, version = request.kept, request.version
    if (value is None and not misses) or version is None:
        return
    if store.version != version:
        store.values.clear()
        store.version = version
    elif len(store.values) >= _LARGEST:
        for old in list(store.values)[: _LARGEST // 2]:
            del store.values[old]
    store.values[key] = value


def kept_middleware(store: Kept) -> Callable[[ASGIApp], ASGIApp]:
    """Opens each HTTP request's view of the kept values (outermost, so that the page caches'
    stamps read the same version)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope.get("method") not in {"GET", "HEAD"}:
                await app(scope, receive, send)
                return
            token = _REQUEST.set(_Request(store))
            try:
                await app(scope, receive, send)
            finally:
                _REQUEST.reset(token)

        return middleware

    return wrap
