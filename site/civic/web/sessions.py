"""Server-side sessions that touch the store only when a session begins, changes or ends.

Litestar's backend writes an empty session for every visitor and rewrites each session on every
request; here a visitor costs nothing and a signed-in page costs one read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

_LOADED = "civic.session_loaded"


class LazySessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope[_LOADED] = dict(data)  # type: ignore[literal-required]
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        had_cookie = self.config.key in connection.cookies
        if not scope_session:
            if had_cookie:  # signed out, or the session expired: forget it
                await super().store_in_message(Empty, message, connection)
            return
        if had_cookie and scope_session == connection.scope.get(_LOADED):
            return
        await super().store_in_message(scope_session, message, connection)


@dataclass
class LazySessionConfig(ServerSideSessionConfig):
    _backend_class = LazySessionBackend
