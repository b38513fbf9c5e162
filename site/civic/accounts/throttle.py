"""Sign-in throttling: too many failures for one phone number or from one address wait."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.stores.base import Store

from civic.errors import Throttled
from civic.web.i18n import _


@dataclass(frozen=True)
class LoginThrottle:
    store: Store
    max_per_phone: int
    max_per_address: int
    window_seconds: int

    def _keys(self, phone: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"login:phone:{phone}", self.max_per_phone),
            (f"login:addr:{address}", self.max_per_address),
        ]

    async def failures(self, key: str) -> int:
        raw = await self.store.get(key)
        return int(raw) if raw else 0

    async def check(self, phone: str, address: str) -> None:
        """Raises Throttled while either counter is at its limit."""
        for key, limit in self._keys(phone, address):
            if await self.failures(key) >= limit:
                wait = await self.store.expires_in(key) or self.window_seconds
                minutes = max(1, -(-wait // 60))
                raise Throttled(
                    _(
                        "登录失败次数太多，请 {minutes} 分钟后再试。忘记密码请联系社区工作人员。"
                    ).format(minutes=minutes),
                    retry_after=wait,
                )

    async def failed(self, phone: str, address: str) -> None:
        for key, _limit in self._keys(phone, address):
            count = await self.failures(key)
            # The window runs from the first failure: later ones do not extend it.
            remaining = await self.store.expires_in(key) if count else None
            await self.store.set(key, str(count + 1), expires_in=remaining or self.window_seconds)

    async def succeeded(self, phone: str) -> None:
        await self.store.delete(f"login:phone:{phone}")
