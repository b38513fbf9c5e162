"""The SQL behind each page and the CPU it costs, measured in this process: the site's app
behind Litestar's test client, on the database CIVIC_DATABASE_URL names, with the engine's
`run_querystring` wrapped to write down each statement with its time on the way.

bench/run.py runs it as a command (the database URL is only known once the run has made it):
pages as JSON on stdin, `[{"label", "path", "who"}, ...]`, and for each page on stdout the
median CPU milliseconds of a request and the statements of its last run.

A page's statements may run side by side (asyncio.gather); their times then overlap, and
their sum can exceed the page's own. CPU time is the process's, all threads: through aiosqlite
a statement's work happens in its thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

PASSWORD = "demo1234"  # noqa: S105 (the demo accounts' published password)


@dataclass
class Statement:
    sql: str
    cpu_ms: float
    wall_ms: float


@dataclass
class Measured:
    label: str
    path: str
    status: int
    cpu_ms: float  # median of the runs, the whole request in this process
    statements: list[Statement] = field(default_factory=list)


class Recorder:
    """Wraps the engine's one door to the database; the statements still run as they would."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: list[Statement] = []
        original = engine.run_querystring

        async def recording(querystring: Any, in_pool: bool = True) -> Any:
            sql, _args = querystring.compile_string(engine_type=engine.engine_type)
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return await original(querystring, in_pool=in_pool)
            finally:
                self.seen.append(
                    Statement(
                        sql,
                        (time.process_time() - cpu) * 1000,
                        (time.perf_counter() - wall) * 1000,
                    )
                )

        engine.run_querystring = recording


async def measure(pages: list[dict[str, Any]], phones: dict[str, str], runs: int) -> list[Measured]:
    from litestar.testing import AsyncTestClient
    from piccolo.engine import engine_finder

    from civic.app import create_app
    from civic.settings import Settings

    recorder = Recorder(engine_finder())
    app = create_app(Settings.from_env())
    results = []
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        client.follow_redirects = False
        jars: dict[str | None, dict[str, str]] = {None: {}}
        for who in {p["who"] for p in pages if p["who"]}:
            client.cookies.clear()
            await client.get("/login")
            token = client.cookies.get("csrftoken", "")
            form = {"phone": phones[who], "password": PASSWORD, "_csrf_token": token}
            answer = await client.post("/login", data=form)
            if answer.status_code != 303:
                raise RuntimeError(f"signing in as {who} failed: HTTP {answer.status_code}")
            jars[who] = dict(client.cookies.items())
        for page in pages:
            client.cookies.clear()
            client.cookies.update(jars[page["who"]])
            headers = {"Accept-Encoding": "br, gzip"}
            await client.get(page["path"], headers=headers)  # warm: templates, first queries
            times = []
            status = 0
            for _ in range(runs):
                recorder.seen = []
                started = time.process_time()
                answer = await client.get(page["path"], headers=headers)
                times.append((time.process_time() - started) * 1000)
                status = answer.status_code
            results.append(
                Measured(
                    page["label"],
                    page["path"],
                    status,
                    statistics.median(times),
                    list(recorder.seen),  # a copy: the next page's warm-up is recorded too
                )
            )
    return results


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # stdout carries the answer alone
    asked = json.load(sys.stdin)
    results = asyncio.run(measure(asked["pages"], asked["phones"], asked.get("runs", 5)))
    json.dump([asdict(r) for r in results], sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
