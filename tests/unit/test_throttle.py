"""Sign-in throttling counts failures per phone number and per address, in the shared store."""

from __future__ import annotations

import pytest

from civic.accounts.throttle import LoginThrottle
from civic.errors import Throttled
from civic.web.stores import DatabaseStore


def throttle(per_phone: int = 5, per_address: int = 20) -> LoginThrottle:
    return LoginThrottle(DatabaseStore("throttle-test"), per_phone, per_address, 900)


async def test_allows_up_to_the_limit_then_refuses():
    t = throttle()
    for _ in range(5):
        await t.check("13800000000", "10.0.0.1")
        await t.failed("13800000000", "10.0.0.1")
    assert await t.failures("login:phone:13800000000") == 5
    with pytest.raises(Throttled) as refused:
        await t.check("13800000000", "10.0.0.2")
    assert "分钟后再试" in refused.value.message
    assert 0 < refused.value.retry_after <= 900


async def test_other_numbers_are_not_affected():
    t = throttle()
    for _ in range(5):
        await t.failed("13800000000", "10.0.0.1")
    await t.check("13800000001", "10.0.0.9")


async def test_one_address_trying_many_numbers_is_stopped():
    t = throttle(per_phone=5, per_address=3)
    for n in range(3):
        await t.failed(f"1380000000{n}", "10.0.0.1")
    with pytest.raises(Throttled):
        await t.check("13800000009", "10.0.0.1")
    await t.check("13800000009", "10.0.0.2")


async def test_success_clears_the_count_for_the_number():
    t = throttle()
    for _ in range(4):
        await t.failed("13800000000", "10.0.0.1")
    await t.succeeded("13800000000")
    assert await t.failures("login:phone:13800000000") == 0


async def test_failures_are_forgotten_when_the_window_ends():
    t = LoginThrottle(DatabaseStore("throttle-test"), 2, 20, window_seconds=1)
    await t.failed("13800000000", "10.0.0.1")
    await t.failed("13800000000", "10.0.0.1")
    with pytest.raises(Throttled):
        await t.check("13800000000", "10.0.0.1")
    store = t.store
    assert isinstance(store, DatabaseStore)
    # Expire the entry the way time would, without sleeping.
    await store.set("login:phone:13800000000", b"2", expires_in=-1)
    await t.check("13800000000", "10.0.0.3")
