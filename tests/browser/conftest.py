"""Browser set-up: the site served by a real server, driven by the system Chromium.

The server runs in a subprocess with this process's environment, so it uses the same
throwaway database the root conftest chose; while it runs, the root conftest empties the
tables around every test, as whatever a test did may have reached it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.helpers import new_context
from tests.processes import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="package")
def live_server(database: None) -> Iterator[str]:
    """The base URL of the site, served by uvicorn while the tests in this folder run."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "civic.asgi:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, env=os.environ.copy(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 30
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    pytest.fail(f"the site did not start on {url}:\n{output}")
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for the tests in this folder, closed after the last of them.

    While Playwright's sync API is open, its event loop counts as running in this thread, so
    neither pytest-asyncio nor asyncio.run() could run anything after it: it must not outlive
    this folder when the whole suite runs in one go."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) for each test."""
    context = new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def no_js_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A page in a fresh profile with JavaScript switched off."""
    context = new_context(browser, live_server, javascript=False)
    yield context.new_page()
    context.close()
