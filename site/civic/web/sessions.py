"""Server-side sessions that touch the store only when a session begins, changes or ends.

Litestar's backend writes an empty session for every visitor and rewrites each session on every
request; here a visitor costs nothing and a signed-in page costs one read.

A session id is only ever one this server issued for a session it holds: a cookie naming an
unknown id (chosen by someone else, or left over) is never adopted, and `renew_session()` —
at sign-in, and when a visitor proves to be a case's filer — moves the session to a fresh id
and drops the old one, so an id someone else saw on a shared computer leads nowhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

_LOADED = "civic.session_loaded"
_RENEW = "civic.session_renew"
_ISSUED = "civic.session_issued"
_WELL_FORMED = re.compile(r"[0-9a-f]{16,128}")
"""What our ids look like (hex): anything else, however long, is no session at all."""


def renew_session(connection: ASGIConnection, data: dict[str, Any]) -> None:
    """Keep `data` as the session under a new id, dropping the id the browser brought."""
    connection.scope[_RENEW] = True  # type: ignore[literal-required]
    connection.set_session(data)


class LazySessionBackend(ServerSideSessionBackend):
    def _cookie(self, connection: ASGIConnection) -> str:
        value = connection.cookies.get(self.config.key, "")
        return value if _WELL_FORMED.fullmatch(value) else ""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if session_id := self._cookie(connection):
            store = self.config.get_store_from_app(connection.scope["app"])
            raw = await self.get(session_id, store=store)
            if raw is not None:
                data = self.deserialize_data(raw)
        connection.scope[_LOADED] = dict(data)  # type: ignore[literal-required]
        return data

    def get_session_id(self, connection: ASGIConnection) -> str:
        scope = connection.scope
        known = self._cookie(connection)
        if known and scope.get(_LOADED) and not scope.get(_RENEW):
            return known
        # One new id per response, however often it is asked for.
        issued = cast("str | None", scope.get(_ISSUED)) or self.generate_session_id()
        scope[_ISSUED] = issued  # type: ignore[literal-required]
        return issued

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        known = self._cookie(connection) if connection.scope.get(_LOADED) else ""
        had_cookie = self.config.key in connection.cookies
        if not scope_session:
            if had_cookie:  # signed out, or the session expired: forget it
                await super().store_in_message(Empty, message, connection)
            return
        renewing = bool(connection.scope.get(_RENEW))
        if known and not renewing and scope_session == connection.scope.get(_LOADED):
            return
        if known and renewing:
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(known, store=store)
        await super().store_in_message(scope_session, message, connection)


@dataclass
class LazySessionConfig(ServerSideSessionConfig):
    _backend_class = LazySessionBackend
