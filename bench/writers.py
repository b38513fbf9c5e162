"""Concurrent writers on one worker: 16 browsers at once signing in with a wrong password
(each attempt writes the throttle's counters) and filing cases (a case, its event, messages
and the filing quota), for a few seconds each; writes per second and the requests that timed
out or failed.

It measures the write path, not argon2: the server it starts uses the suite's cheap password
parameters (CIVIC_PASSWORD_COST=low), and limits high enough that no attempt is refused for
coming from the same address. Used by bench/run.py; runs alone as
`python bench/writers.py sqlite:///path/to/demo.sqlite3`."""

from __future__ import annotations

import re
import secrets
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from http_client import request

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


def _post(port: int, path: str, form: dict[str, str], cookies: dict[str, str]) -> int:
    return request(port, path, cookies=cookies, form=form, compressed=False, timeout=10).status


def _form(port: int, cookies: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The filing form's hidden fields and first category, and the cookies it came with."""
    got = request(port, FORM_PATH, cookies=cookies, compressed=False, timeout=10)
    html = got.text()
    hidden = dict(re.findall(r'type="hidden" name="(_[a-z_]+)" value="([^"]*)"', html))
    category = re.search(r'<option value="([^"]+)"', html)
    return {**hidden, "category": category.group(1) if category else ""}, {**cookies, **got.cookies}


def _sign_ins(port: int, until: float, tally: Tally, lock: threading.Lock) -> None:
    _, cookies = _form(port, {})
    token = cookies["csrftoken"]
    while time.monotonic() < until:
        phone = f"139{secrets.randbelow(10**8):08d}"
        form = {"phone": phone, "password": "wrong-password", "_csrf_token": token}
        _count(tally, lock, 422, port, "/login", form, cookies)


def _filings(port: int, until: float, tally: Tally, lock: threading.Lock) -> None:
    cookies: dict[str, str] = {}
    while time.monotonic() < until:
        fields, cookies = _form(port, cookies)
        form = {**fields, "text": "楼道灯坏了，晚上看不见台阶。", "public": "0"}
        _count(tally, lock, 303, port, FORM_PATH, form, cookies)


def _count(
    tally: Tally,
    lock: threading.Lock,
    wanted: int,
    port: int,
    path: str,
    form: dict[str, str],
    cookies: dict[str, str],
) -> None:
    """One write attempt, counted as done when it answered `wanted`."""
    try:
        ok = _post(port, path, form, cookies) == wanted
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
