"""Litestar's double-submit CSRF check, with two changes for pages that cost every byte:

- the cookie is set only on a response whose page put the token into a form (a template
  called `csrf_token()`), not on every visitor's first page: a page without a form stays the
  same for every visitor, so it can be cached and revisited with a 304;
- the token is 64 characters (16 random bytes and 16 bytes of its HMAC, in hex), not 128.

Forms and htmx send the token as before (`_csrf_token`, `x-csrftoken`); a state-changing
request without a token matching the cookie is refused with 403."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

_RANDOM_BYTES = 16
_RANDOM_LENGTH = _RANDOM_BYTES * 2
_USED = "civic.csrf_used"


def token_used(scope: Scope) -> bool:
    """Whether this response carries the browser's CSRF token (so it is this browser's own)."""
    return bool(scope.get(_USED))


@pass_context
def csrf_token(context: Context) -> str:
    """The template global: the token for a form, which marks the page as needing the cookie.
    In a page rendered for many people at once (web/shared_views.py), the slot each person's
    own token goes into."""
    slots = context.get("slots")
    if slots is not None:
        return str(slots.token)
    return token_for(context["request"].scope)


def token_for(scope: Scope) -> str:
    """This browser's token, for the response answering `scope`: it now needs the cookie."""
    scope[_USED] = True  # type: ignore[literal-required]
    return _token_of(scope)


def _token_of(scope: Scope) -> str:
    token = ScopeState.from_scope(scope).csrf_token
    return token if isinstance(token, str) else ""


class LazyCSRFMiddleware(CSRFMiddleware):
    def _sign(self, random_part: str) -> str:
        digest = hmac.new(self.config.secret.encode(), random_part.encode(), hashlib.sha256)
        return digest.hexdigest()[:_RANDOM_LENGTH]

    def _new_token(self) -> str:
        random_part = secrets.token_hex(_RANDOM_BYTES)
        return random_part + self._sign(random_part)

    def _decode_csrf_token(self, token: str) -> str | None:
        if len(token) != 2 * _RANDOM_LENGTH:
            return None
        random_part, signature = token[:_RANDOM_LENGTH], token[_RANDOM_LENGTH:]
        return random_part if secrets.compare_digest(signature, self._sign(random_part)) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        cookie = request.cookies.get(self.config.cookie_name)
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            # A cookie of the old, longer kind is replaced by a short one when a form is shown.
            if cookie is not None and self._decode_csrf_token(cookie) is None:
                cookie = None
            state.csrf_token = cookie or self._new_token()
            await self.app(scope, receive, self._send_cookie(scope, send, cookie is None))
            return
        sent = request.headers.get(self.config.header_name)
        if not sent and request.content_type[0] in {
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        }:
            sent = (await request.form()).get("_csrf_token")
        if sent is None or cookie is None or not self._csrf_tokens_match(sent, cookie):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = sent
        await self.app(scope, receive, send)

    def _send_cookie(self, scope: Scope, send: Send, missing: bool) -> Send:
        if not missing:
            return send

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and token_used(scope):
                message.setdefault("headers", [])
                self._set_cookie_if_needed(message, _token_of(scope))
            await send(message)

        return send_with_cookie
