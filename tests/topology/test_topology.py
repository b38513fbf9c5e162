"""The production topology, run for real: nginx (deploy/nginx.conf) in front of two `civic serve`
processes on one PostgreSQL database and one Redis. Every request goes through nginx; the
X-Upstream header the test's rendering adds says which process answered.

One test runs every check on one topology: its start-up is most of the time this takes, and
pytest-xdist would otherwise start one on each worker. Each check speaks from a loopback address
of its own (127.0.0.x): nginx forwards that address, so the per-address counters of one check
never meet another's."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from tests.builders import PASSWORD, text_of
from tests.processes import civic
from tests.topology.stack import ROOT, Topology, program, start_topology

ADMIN_URL = os.environ.get("CIVIC_TEST_PG_ADMIN_URL", "")
pytestmark = [
    pytest.mark.skipif(
        not ADMIN_URL,
        reason="the topology runs on PostgreSQL only: scripts/with-postgres.sh sets "
        "CIVIC_TEST_PG_ADMIN_URL",
    ),
    pytest.mark.skipif(
        program("nginx") is None or program("redis-server") is None,
        reason="nginx and redis-server are needed (scripts/system-packages.sh test)",
    ),
]

MAX_FAILURES = 3  # per phone number
MAX_FAILURES_PER_ADDRESS = 4
WRONG = "not the password 1"


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Topology, dict[str, str]]]:
    """The topology on a database of its own (one per pytest-xdist worker), migrated by
    `civic migrate`, holding only what tests/topology/seed.py writes; dropped afterwards."""
    name = f"civic_topology_{os.getpid()}"
    url = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_admin(drop, f'CREATE DATABASE "{name}"'))
    try:
        env = {"CIVIC_DATABASE_URL": url}
        civic("migrate", env=env)
        # Written while the processes start: they need the tables, not the rows.
        seeding = subprocess.Popen(
            [sys.executable, "-m", "tests.topology.seed"],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        limits = {
            "CIVIC_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
            "CIVIC_LOGIN_MAX_FAILURES_PER_ADDRESS": str(MAX_FAILURES_PER_ADDRESS),
        }
        try:
            with start_topology(url, env=limits) as topology:
                seeded, _ = seeding.communicate(timeout=60)
                assert seeding.returncode == 0, "tests/topology/seed.py failed"
                yield topology, json.loads(seeded)
        finally:
            if seeding.poll() is None:
                seeding.kill()
                seeding.wait()
    finally:
        asyncio.run(_admin(drop))


@contextmanager
def browser(topology: Topology, address: str) -> Iterator[httpx.Client]:
    """A browser on this machine at loopback `address`, talking to nginx."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=topology.base_url, transport=transport, timeout=30) as client:
        yield client


def get_from(client: httpx.Client, topology: Topology, port: int, path: str) -> httpx.Response:
    """GET `path` until the app process on `port` is the one that answers (nginx takes turns)."""
    for _ in range(8):
        response = client.get(path)
        if topology.upstream(response) == port:
            return response
    raise AssertionError(f"nginx never sent {path} to the process on {port}")


def other(topology: Topology, port: int | None) -> int:
    assert port in topology.app_ports, port
    return next(p for p in topology.app_ports if p != port)


def sign_in(client: httpx.Client, phone: str, password: str, **headers: str) -> httpx.Response:
    if "csrftoken" not in client.cookies:
        client.get("/login")
    data = {"phone": phone, "password": password, "_csrf_token": client.cookies["csrftoken"]}
    return client.post("/login", data=data, headers=headers)


def signed_in_through_one_process_recognised_by_the_other(
    topology: Topology, seeded: dict[str, str]
) -> None:
    with browser(topology, "127.0.0.2") as resident:
        signed_in = sign_in(resident, seeded["signs_in"], PASSWORD)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/me"
        me = get_from(resident, topology, other(topology, topology.upstream(signed_in)), "/me")
    assert me.status_code == 200
    assert "周建国" in text_of(me.text)


def the_sign_in_throttle_counts_failures_on_both_processes(
    topology: Topology, seeded: dict[str, str]
) -> None:
    phone = seeded["forgets"]
    with browser(topology, "127.0.0.3") as resident:
        failed = [sign_in(resident, phone, WRONG) for _ in range(MAX_FAILURES)]
        assert [r.status_code for r in failed] == [422] * MAX_FAILURES
        assert all("手机号或密码不对" in r.text for r in failed)
        assert {topology.upstream(r) for r in failed} == set(topology.app_ports)
        # Now even the right password waits, whichever process is asked.
        refused = {}
        for _ in range(6):
            response = sign_in(resident, phone, PASSWORD)
            refused[topology.upstream(response)] = response
            if len(refused) == 2:
                break
    assert set(refused) == set(topology.app_ports)
    for response in refused.values():
        assert response.status_code == 429
        assert "登录失败次数太多" in text_of(response.text)


def the_address_counted_is_the_one_nginx_saw_not_the_one_a_client_claims(
    topology: Topology, _seeded: dict[str, str]
) -> None:
    claims = ["203.0.113.9", "198.51.100.7"]
    with browser(topology, "127.0.0.4") as first, browser(topology, "127.0.0.5") as second:
        # Wrong passwords for different numbers, claiming two addresses in turn: one address.
        tries = [
            sign_in(first, f"1370000900{n}", WRONG, **{"X-Forwarded-For": claims[n % 2]})
            for n in range(MAX_FAILURES_PER_ADDRESS)
        ]
        assert [r.status_code for r in tries] == [422] * MAX_FAILURES_PER_ADDRESS
        refused = sign_in(first, "13700009100", WRONG, **{"X-Forwarded-For": "192.0.2.1"})
        assert refused.status_code == 429
        assert "登录失败次数太多" in text_of(refused.text)
        # Another machine claiming the first one's address is not held up by its failures.
        other_machine = sign_in(second, "13700009200", WRONG, **{"X-Forwarded-For": claims[0]})
    assert other_machine.status_code == 422
    assert "手机号或密码不对" in other_machine.text


def a_case_filed_through_one_process_is_on_the_board_through_the_other_at_once(
    topology: Topology, seeded: dict[str, str]
) -> None:
    board = f"/c/{seeded['slug']}/suggestions/"
    words = "北门那里一下雨就积水，已经三天了"
    with browser(topology, "127.0.0.6") as visitor, browser(topology, "127.0.0.7") as filer:

        def view(port: int) -> str:
            visitor.cookies.clear()  # a visitor each time, as a page cache would see one
            page = get_from(visitor, topology, port, board)
            assert page.status_code == 200
            return text_of(page.text)

        # Viewed through both before, so a copy kept by either would be caught afterwards.
        for port in topology.app_ports:
            assert words not in view(port)
        filer.get(f"/c/{seeded['slug']}/suggestions/new")
        form = {"category": "环境卫生", "text": words, "public": "1"}
        filed = filer.post(
            f"/c/{seeded['slug']}/suggestions/new",
            data={**form, "_csrf_token": filer.cookies["csrftoken"]},
        )
        assert filed.status_code == 303, filed.text
        assert words in view(other(topology, topology.upstream(filed)))
        assert words in view(topology.upstream(filed) or 0)


def static_files_and_the_poster_come_through_nginx(
    topology: Topology, seeded: dict[str, str]
) -> None:
    with browser(topology, "127.0.0.8") as visitor:
        home = visitor.get(f"/c/{seeded['slug']}/", headers={"Accept-Encoding": "br, gzip"})
        assert home.status_code == 200
        assert home.headers["content-encoding"] == "br", "compressed by the app, passed on"
        urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', home.text)
        kinds = {".css": "text/css", ".js": "text/javascript"}
        assert {os.path.splitext(u)[1] for u in urls} == set(kinds), urls
        for url in urls:
            # Kept by nginx once per encoding: a phone without brotli still gets what it reads.
            for accepts, encoding in (("br, gzip", "br"), ("gzip", "gzip"), ("identity", None)):
                headers = {"Accept-Encoding": accepts}
                first, again = visitor.get(url, headers=headers), visitor.get(url, headers=headers)
                assert first.status_code == 200 and again.status_code == 200, url
                # (The app names the charset twice on these; browsers read the first.)
                kind = first.headers["content-type"].split(";")[0]
                assert kind == kinds[os.path.splitext(url)[1]], url
                assert "max-age=31536000" in first.headers["cache-control"]
                assert first.headers.get("content-encoding") == encoding, (url, accepts)
                assert again.headers.get("content-encoding") == encoding, (url, accepts)
                assert again.content == first.content
                assert topology.upstream(again) is None, "nginx answers again from its cache"
        poster = visitor.get(f"/c/{seeded['slug']}/poster.pdf")
    assert poster.status_code == 200
    assert poster.headers["content-type"] == "application/pdf"
    assert poster.content.startswith(b"%PDF-")


def test_the_site_behind_nginx_on_two_processes(
    stack: tuple[Topology, dict[str, str]],
) -> None:
    topology, seeded = stack
    for check in (
        signed_in_through_one_process_recognised_by_the_other,
        the_sign_in_throttle_counts_failures_on_both_processes,
        the_address_counted_is_the_one_nginx_saw_not_the_one_a_client_claims,
        a_case_filed_through_one_process_is_on_the_board_through_the_other_at_once,
        static_files_and_the_poster_come_through_nginx,
    ):
        check(topology, seeded)
