"""One-time form keys: a form that creates something (a wish, a case, a report, a reply)
carries one, so a double submit, a retry on a flaky network or ten taps at once create one
thing, and every one of those requests is shown that thing (Stripe's idempotency keys).

The key is drawn when the form is drawn (`{{ once() }}` in _forms.html). The first request with
it wins an atomic counter and goes on; the others wait a moment for the winner's result and are
sent where it was sent. A refused submission hands its key back, so the same form corrected
and sent again goes through."""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass

from litestar import Request
from litestar.stores.base import Store
from litestar.types import Scope

from civic.errors import InvalidTransition
from civic.web import counters
from civic.web.i18n import _

FIELD = "_once"
WINDOW_SECONDS = 3600
"""How long a key remembers what it made: longer than anyone keeps a form open and retries."""
WAIT_SECONDS = 5.0
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{16,64}")


_USED = "civic.once_used"


def new_key(scope: Scope) -> str:
    """A new key for a form on the page answering `scope`: that page is its browser's own."""
    scope[_USED] = True  # type: ignore[literal-required]
    return secrets.token_urlsafe(16)


def key_used(scope: Scope) -> bool:
    """Whether this response carries a one-time key (so no other browser may be sent it)."""
    return bool(scope.get(_USED))


@dataclass(frozen=True)
class Once:
    store: Store
    key: str
    """"" when the form carried no (well-formed) key, e.g. a page opened before a deploy:
    the request is let through as it always was."""

    @classmethod
    def of(cls, store: Store, action: str, typed: str) -> Once:
        """The key a form sent to `action` (its path: a key is only good for one form)."""
        return cls(store, f"{action}:{typed}" if _WELL_FORMED.fullmatch(typed) else "")

    async def claim(self) -> str | None:
        """None when this request is the first with its key: go on and make the thing.
        Otherwise where the first one's result is, to show it instead of making another."""
        if not self.key:
            return None
        if await counters.increment(self.store, f"once:{self.key}", WINDOW_SECONDS) == 1:
            return None
        for _attempt in range(int(WAIT_SECONDS / 0.1)):
            done = await self.store.get(f"once-done:{self.key}")
            if done is not None:
                return done.decode()
            await asyncio.sleep(0.1)
        raise InvalidTransition(_("刚才的提交还在处理，请稍候刷新页面查看。"))

    async def done(self, location: str) -> None:
        """The thing is made and shown at `location`: later requests with the key go there."""
        if self.key:
            await self.store.set(f"once-done:{self.key}", location, expires_in=WINDOW_SECONDS)

    async def refused(self) -> None:
        """Nothing was made: the same form, corrected, may be sent again with its key."""
        if self.key:
            await self.store.delete(f"once:{self.key}")


def once_of(request: Request, typed: str) -> Once:
    """The key the form posted to this request's path carried (its `_once` field)."""
    return Once.of(request.app.stores.get("once"), request.url.path, typed)
