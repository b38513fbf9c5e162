"""Concurrent writers on one worker: 16 browsers at once signing in with a wrong password
(each attempt writes the throttle's counters) and filing cases (a case, its event, messages
and the filing quota), for a few seconds each; writes per second and the requests that timed
out or failed.

It measures the write path, not argon2: the server it starts uses the suite's cheap password
parameters (CIVIC_PASSWORD_COST=low), and limits high enough that no attempt is refused for
coming from the same address. Used by bench/run.py; runs alone as
`python bench/writers.py sqlite:///path/to/demo.sqlite3`."""

from __future__ import annotations

import http.client
import re
import secrets
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

WRITERS = 16
FORM_PATH = "/c/xinghua/suggestions/new"
UNLIMITED = {
    "CIVIC_PASSWORD_COST": "low",
    "CIVIC_LOGIN_MAX_FAILURES": "1000000",
    "CIVIC_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
    "CIVIC_FILINGS_PER_HOUR_PER_ADDRESS": "1000000",
}


@dataclass
class Tally:
    done: int = 0
    failed: int = 0
    timed_out: int = 0


def _post(port: int, path: str, form: dict[str, str], cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _form(port: int, cookie: str) -> tuple[dict[str, str], str]:
    """The filing form's hidden fields and first category, and the cookie it came with."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", FORM_PATH, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        html = response.read().decode()
    finally:
        conn.close()
    jar = SimpleCookie()
    for line in response.headers.get_all("Set-Cookie") or []:
        jar.load(line)
    if "csrftoken" in jar:
        cookie = f"csrftoken={jar['csrftoken'].value}"
    hidden = dict(re.findall(r'type="hidden" name="(_[a-z_]+)" value="([^"]*)"', html))
    category = re.search(r'<option value="([^"]+)"', html)
    return {**hidden, "category": category.group(1) if category else ""}, cookie


def _sign_ins(port: int, until: float, tally: Tally, lock: threading.Lock) -> None:
    _, cookie = _form(port, "")
    token = cookie.removeprefix("csrftoken=")
    while time.monotonic() < until:
        phone = f"139{secrets.randbelow(10**8):08d}"
        form = {"phone": phone, "password": "wrong-password", "_csrf_token": token}
        _count(tally, lock, 422, port, "/login", form, cookie)


def _filings(port: int, until: float, tally: Tally, lock: threading.Lock) -> None:
    cookie = ""
    while time.monotonic() < until:
        fields, cookie = _form(port, cookie)
        form = {**fields, "text": "楼道灯坏了，晚上看不见台阶。", "public": "0"}
        _count(tally, lock, 303, port, FORM_PATH, form, cookie)


def _count(
    tally: Tally, lock: threading.Lock, wanted: int, port: int, path: str, form: dict, cookie: str
) -> None:
    """One write attempt, counted as done when it answered `wanted`."""
    try:
        ok = _post(port, path, form, cookie) == wanted
    except TimeoutError:
        with lock:
            tally.timed_out += 1
        return
    with lock:
        if ok:
            tally.done += 1
        else:
            tally.failed += 1


def measure(port: int, seconds: float = 5) -> dict[str, tuple[float, Tally]]:
    """Writes per second for each kind of writer, 16 at once, against a server on `port`."""
    results = {}
    for label, work in (("failed sign-ins", _sign_ins), ("filings", _filings)):
        tally, lock = Tally(), threading.Lock()
        until = time.monotonic() + seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=work, args=(port, until, tally, lock)) for _ in range(WRITERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results[label] = (tally.done / (time.monotonic() - started), tally)
    return results


def report(results: dict[str, tuple[float, Tally]]) -> None:
    for label, (rate, tally) in results.items():
        print(
            f"{WRITERS} concurrent {label}: {rate:,.0f} writes/s "
            f"({'✓' if rate >= 100 and not tally.timed_out else '✗'} ≥ 100 with no timeout); "
            f"{tally.done} done, {tally.failed} refused, {tally.timed_out} timed out"
        )


def main(url: str) -> int:
    import os

    sys.path.insert(0, str(Path(__file__).parent))
    import run

    env = {**os.environ, **UNLIMITED, "CIVIC_DATABASE_URL": url}
    with ExitStack() as stack:
        (port,) = run.free_ports(1)
        log = Path(stack.enter_context(run.tempfile.TemporaryDirectory())) / "writers.log"
        proc = run.start(stack, [*run.civic_command(), "serve", "--port", str(port)], env, log)
        run.wait_ready(proc, port, "/healthz", log)
        report(measure(port))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
