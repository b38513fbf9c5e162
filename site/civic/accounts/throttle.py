"""Sign-in throttling: too many failures for one phone number or from one address wait."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.stores.base import Store

from civic.web.i18n import _
from civic.web.quota import Quota, count

MESSAGE = _("登录失败次数太多，请 {minutes} 分钟后再试。忘记密码请联系社区工作人员。")


@dataclass(frozen=True)
class LoginThrottle:
    store: Store
    max_per_phone: int
    max_per_address: int
    window_seconds: int

    def _quotas(self, phone: str, address: str) -> list[tuple[Quota, str]]:
        def quota(limit: int) -> Quota:
            return Quota(self.store, limit, self.window_seconds, MESSAGE)

        return [
            (quota(self.max_per_phone), f"login:phone:{phone}"),
            (quota(self.max_per_address), f"login:addr:{address}"),
        ]

    async def failures(self, key: str) -> int:
        return await count(self.store, key)

    async def check(self, phone: str, address: str) -> None:
        """Raises Throttled while either counter is at its limit."""
        for quota, key in self._quotas(phone, address):
            await quota.check(key)

    async def failed(self, phone: str, address: str) -> None:
        for quota, key in self._quotas(phone, address):
            await quota.spend(key)

    async def succeeded(self, phone: str) -> None:
        await self.store.delete(f"login:phone:{phone}")
