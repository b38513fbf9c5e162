"""The client address per-address limits count: X-Forwarded-For is believed only from the
proxies CIVIC_TRUSTED_PROXIES names, and only as far as their chain goes."""

from __future__ import annotations

import dataclasses
from ipaddress import ip_network

import httpx
import pytest
from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.testing import AsyncTestClient

from civic.app import create_app
from civic.settings import Settings, SettingsError
from civic.web.client import client_address, resolve
from tests import builders

PROXIES = (ip_network("10.0.0.2"), ip_network("172.16.0.0/24"))


def test_nobody_is_trusted_by_default():
    assert resolve("203.0.113.7", ["198.51.100.1"], ()) == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored():
    assert resolve("203.0.113.7", ["198.51.100.1, 10.0.0.2"], PROXIES) == "203.0.113.7"


def test_a_trusted_proxy_names_the_client():
    assert resolve("10.0.0.2", ["198.51.100.1"], PROXIES) == "198.51.100.1"


def test_what_the_client_wrote_before_the_proxy_is_ignored():
    # The client sent "1.2.3.4"; the proxy appended the address it really saw.
    assert resolve("10.0.0.2", ["1.2.3.4, 198.51.100.1"], PROXIES) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    chain = ["1.2.3.4, 198.51.100.1, 172.16.0.9"]
    assert resolve("10.0.0.2", chain, PROXIES) == "198.51.100.1"
    # The same chain split over two header lines reads the same.
    assert resolve("10.0.0.2", ["1.2.3.4", "198.51.100.1", "172.16.0.9"], PROXIES) == (
        "198.51.100.1"
    )


def test_an_untrusted_hop_in_the_middle_stops_the_walk():
    # 198.51.100.9 is not ours: whatever it claims about 172.16.0.5 and beyond is not believed.
    chain = ["5.6.7.8, 172.16.0.5, 198.51.100.9, 172.16.0.9"]
    assert resolve("10.0.0.2", chain, PROXIES) == "198.51.100.9"


def test_a_trusted_proxy_without_the_header_is_the_client():
    assert resolve("10.0.0.2", [], PROXIES) == "10.0.0.2"


def test_garbage_in_the_chain_stops_at_the_last_trusted_proxy():
    assert resolve("10.0.0.2", ["nonsense, 172.16.0.9"], PROXIES) == "172.16.0.9"
    assert resolve("10.0.0.2", ["nonsense"], PROXIES) == "10.0.0.2"


def test_ipv6_and_ipv4_mapped_peers():
    proxies = (*PROXIES, ip_network("fd00::/8"))
    assert resolve("fd00::1", ["2001:db8::5"], proxies) == "2001:db8::5"
    assert resolve("::ffff:10.0.0.2", ["198.51.100.1"], proxies) == "198.51.100.1"
    assert resolve("2001:db8::5", ["198.51.100.1"], proxies) == "2001:db8::5"


@get("/who", sync_to_thread=False)
def who(request: Request) -> str:
    return client_address(request)


def _app(proxies: str) -> Litestar:
    settings = Settings.from_env()
    security = dataclasses.replace(
        settings.security,
        trusted_proxies=tuple(ip_network(p) for p in proxies.split(",") if p),
    )
    settings = dataclasses.replace(settings, security=security)
    return Litestar(route_handlers=[who], state=State({"settings": settings}))


async def _seen(app: Litestar, peer: str, forwarded: str | None) -> str:
    """What the app takes for the client when `peer` connects and sends `forwarded`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return (await client.get("/who", headers=headers)).text


async def test_client_address_reads_the_setting_from_the_app():
    trusting = _app("10.0.0.2")
    assert await _seen(trusting, "10.0.0.2", "1.2.3.4") == "1.2.3.4"
    assert await _seen(trusting, "10.0.0.3", "1.2.3.4") == "10.0.0.3"
    assert await _seen(trusting, "10.0.0.2", None) == "10.0.0.2"
    untrusting = _app("")
    assert await _seen(untrusting, "10.0.0.2", "1.2.3.4") == "10.0.0.2"


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CIVIC_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/24 ,::1 ")
    assert Settings.from_env().security.trusted_proxies == (
        ip_network("127.0.0.1"),
        ip_network("10.0.0.0/24"),
        ip_network("::1"),
    )
    monkeypatch.setenv("CIVIC_TRUSTED_PROXIES", "")
    assert Settings.from_env().security.trusted_proxies == ()
    for wrong in ("localhost", "10.0.0.1/24"):
        monkeypatch.setenv("CIVIC_TRUSTED_PROXIES", wrong)
        with pytest.raises(SettingsError, match="CIVIC_TRUSTED_PROXIES"):
            Settings.from_env()


async def test_a_spoofed_header_at_the_sign_in_page_changes_nothing():
    app = create_app(Settings.from_env())
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        token = await builders.csrf_token(client)
        for n in range(20):
            wrong = {"phone": f"1380000{n:04d}", "password": "wrong pass", "_csrf_token": token}
            headers = {"X-Forwarded-For": f"198.51.100.{n}"}
            answer = await client.post("/login", data=wrong, headers=headers)
            assert answer.status_code == 422
        wrong = {"phone": "13800009999", "password": "wrong pass", "_csrf_token": token}
        answer = await client.post("/login", data=wrong, headers={"X-Forwarded-For": "1.1.1.1"})
        assert answer.status_code == 429  # all twenty counted against the one real peer
