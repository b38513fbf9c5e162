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

    async def attempt(self, phone: str, address: str) -> None:
        """Counts a sign-in attempt before the password is checked, and raises Throttled once
        the number or the address is beyond its limit: of a burst of concurrent wrong passwords
        no more than the limit are ever tried. The address counts only attempts the number
        allowed, so one locked number does not also lock everyone behind the same network."""
        for quota, key in self._quotas(phone, address):
            await quota.take(key)

    async def succeeded(self, phone: str, address: str) -> None:
        """A right password: the number's failures are forgotten, and the attempt is given back
        to the address, so a family or a desk signing in from one network is not held up."""
        await self.store.delete(f"login:phone:{phone}")
        quota, key = self._quotas(phone, address)[1]
        await quota.give_back(key)
