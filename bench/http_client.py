"""HTTP for the bench: one request on a fresh connection, the body as sent (still compressed
when the server compressed it), and the cookies the answer set."""

from __future__ import annotations

import gzip
import http.client
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import brotli  # type: ignore[import-untyped]


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes  # as sent: still compressed when the server compressed it
    seconds: float
    cookies: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "br":
            return brotli.decompress(self.body).decode()
        if encoding == "gzip":
            return gzip.decompress(self.body).decode()
        return self.body.decode()


def request(
    port: int,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    compressed: bool = True,
    form: dict[str, str] | None = None,
    timeout: float = 60,
) -> Fetched:
    """One request on a fresh connection; http.client leaves the body undecoded."""
    headers = {}
    if compressed:
        headers["Accept-Encoding"] = "br, gzip"
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        conn.request("POST" if form is not None else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    jar = SimpleCookie()
    for line in response.headers.get_all("Set-Cookie") or []:
        jar.load(line)
    return Fetched(
        response.status,
        response.headers,
        data,
        seconds,
        {name: morsel.value for name, morsel in jar.items()},
    )


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
