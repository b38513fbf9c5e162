"""Sign-in throttling counts attempts per phone number and per address, in the shared store,
exactly: a burst of concurrent wrong passwords is counted in full and only the allowed number
are tried."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from litestar.testing import AsyncTestClient

from civic.accounts.throttle import LoginThrottle
from civic.app import create_app
from civic.errors import Throttled
from civic.settings import Settings
from civic.web.stores import DatabaseStore
from tests import builders
from tests.builders import PASSWORD


def throttle(per_phone: int = 5, per_address: int = 20, window: int = 900) -> LoginThrottle:
    return LoginThrottle(DatabaseStore("throttle-test"), per_phone, per_address, window)


async def test_allows_up_to_the_limit_then_refuses():
    t = throttle()
    for _ in range(5):
        await t.attempt("13800000000", "10.0.0.1")
    assert await t.failures("login:phone:13800000000") == 5
    with pytest.raises(Throttled) as refused:
        await t.attempt("13800000000", "10.0.0.2")
    assert "分钟后再试" in refused.value.message
    assert 0 < refused.value.retry_after <= 900


async def test_fifty_concurrent_attempts_are_all_counted_and_five_let_through():
    t = throttle()

    async def one() -> bool:
        try:
            await t.attempt("13800000000", "10.0.0.1")
        except Throttled:
            return False
        return True

    passed = await asyncio.gather(*(one() for _ in range(50)))
    assert passed.count(True) == 5
    assert await t.failures("login:phone:13800000000") == 50
    assert await t.failures("login:addr:10.0.0.1") == 5


async def test_fifty_concurrent_wrong_passwords_at_the_sign_in_page():
    _, phone = await builders.person()
    settings = Settings.from_env()
    assert settings.store_url == "database"
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        token = await builders.csrf_token(client)
        form = {"phone": phone, "password": "wrong pass", "_csrf_token": token}
        answers = await asyncio.gather(*(client.post("/login", data=form) for _ in range(50)))
        assert Counter(a.status_code for a in answers) == {422: 5, 429: 45}
        # The same rows the site's throttle counts in (CIVIC_STORE_URL is the database here).
        seen = LoginThrottle(DatabaseStore("throttle"), 5, 20, 900)
        assert await seen.failures(f"login:phone:{phone}") == 50
        assert await seen.failures("login:addr:testclient") == 5
        right = await client.post(
            "/login", data={"phone": phone, "password": PASSWORD, "_csrf_token": token}
        )
        assert right.status_code == 429  # the number waits out its window


async def test_other_numbers_are_not_affected():
    t = throttle()
    for _ in range(5):
        await t.attempt("13800000000", "10.0.0.1")
    await t.attempt("13800000001", "10.0.0.9")


async def test_one_address_trying_many_numbers_is_stopped():
    t = throttle(per_phone=5, per_address=3)
    for n in range(3):
        await t.attempt(f"1380000000{n}", "10.0.0.1")
    with pytest.raises(Throttled):
        await t.attempt("13800000009", "10.0.0.1")
    await t.attempt("13800000009", "10.0.0.2")


async def test_success_clears_the_number_and_gives_the_attempt_back_to_the_address():
    t = throttle()
    for _ in range(4):
        await t.attempt("13800000000", "10.0.0.1")
    await t.attempt("13800000000", "10.0.0.1")
    await t.succeeded("13800000000", "10.0.0.1")
    assert await t.failures("login:phone:13800000000") == 0
    assert await t.failures("login:addr:10.0.0.1") == 4


async def test_many_people_signing_in_from_one_network_are_not_held_up():
    t = throttle(per_address=3)
    for n in range(10):
        await t.attempt(f"1380000000{n}", "10.0.0.1")
        await t.succeeded(f"1380000000{n}", "10.0.0.1")
    assert await t.failures("login:addr:10.0.0.1") == 0


async def test_refused_attempts_do_not_extend_the_window():
    t = LoginThrottle(DatabaseStore("throttle-test"), 2, 20, window_seconds=100)
    await t.attempt("13800000000", "10.0.0.1")
    await t.attempt("13800000000", "10.0.0.1")
    for _ in range(5):
        with pytest.raises(Throttled):
            await t.attempt("13800000000", "10.0.0.1")
    assert 0 < (await t.store.expires_in("login:phone:13800000000")) <= 100


async def test_failures_are_forgotten_when_the_window_ends():
    t = throttle(per_phone=2, window=1)
    await t.attempt("13800000000", "10.0.0.1")
    await t.attempt("13800000000", "10.0.0.1")
    with pytest.raises(Throttled):
        await t.attempt("13800000000", "10.0.0.1")
    await asyncio.sleep(1.1)
    await t.attempt("13800000000", "10.0.0.3")
    assert await t.failures("login:phone:13800000000") == 1
