"""`make bench`: bytes, SQL queries, requests per second and time to show, page by page.

It loads the demo district into a throwaway SQLite database (or, with `--database postgres`,
a throwaway PostgreSQL cluster), serves the site with one worker next to a bare app that
renders only the base template (bench/bare_app.py), and prints one row per page with the
budgets beside the numbers, and the SQL each page runs with its CPU time (bench/statements.py).
Then two workers against one, granian against uvicorn when granian is installed, and nginx
in front of two processes (tests/topology/stack.py). Then it grows one community to 10× and
100× the demo's rows (bench/scale.py) and measures the pages again, each page's cost beside
its cost at 1×; last, 16 concurrent writers (bench/writers.py). It only reports: the test
suite is what fails on a broken budget. The exit code is non-zero only when a server does not
start or the run cannot finish.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import writers  # bench/writers.py, beside this file
from http_client import Fetched, cookie_header, request

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCALES = (10, 100)  # times the demo's rows in one community, after the 1× run
QUICK_SCALES = (100,)  # --quick: the largest only
THROWAWAY = "CIVIC_BENCH_THROWAWAY_DATABASE"  # set inside scripts/with-postgres.sh
COST_GOAL = 1.5  # a page's cost at 100× at most this times its cost at 1×
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A poor mobile link: 400 ms round trips and 400 kbit/s each way.
SLOW_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
PASSWORD = "demo1234"  # noqa: S105 (the demo accounts' published password)
PHONES = {
    "resident": "13900000031",
    "member": "13700000000",
    "staff": "13900000011",
    "admin": "13900000001",
    "street": "13900000002",
}

KB = 1024
HOME_HTML_BUDGET = 14 * KB  # what fits in the first round trip of a new TCP connection
HOME_FIRST_VISIT_BUDGET = 45 * KB
HOME_QUERY_BUDGET = 6
CASE_CODE = "{case}"  # replaced by the code of a public demo case found on the board
PHOTO_BUDGET = 200 * KB  # a stored photo, as civic.photos.service keeps it
PHOTO_PATH = "/c/xinghua/wishes/1/photo"  # the demo's first wish has a photo


@dataclass(frozen=True)
class Budget:
    html: int  # bytes on the wire, compressed
    queries: int
    first_visit: int | None = None


HOME = Budget(HOME_HTML_BUDGET, HOME_QUERY_BUDGET, HOME_FIRST_VISIT_BUDGET)
TREE = Budget(20 * KB, 8)  # the wish tree, whatever the number of wishes
WISH = Budget(14 * KB, 8)
BOARD = Budget(20 * KB, 8)  # the public case board, whatever the number of cases
CASE = Budget(14 * KB, 8)
QUEUE = Budget(25 * KB, 8)
TOPIC = Budget(30 * KB, 8)  # a 议事厅 topic, whatever the number of posts or votes
POLL_304_BUDGET = 1 * KB  # the topic's poll when nothing changed, headers included
POLL_PATH = "/c/xinghua/hall/1/posts"  # the demo's parking topic: posts and an open vote


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str | None = None  # a key of PHONES, or None for a visitor
    load: bool = False  # worth the wrk run: the pages most people open
    goal: bool = True  # one of the throughput issue's pages (the 议事厅 came after it: shown only)
    budget: Budget | None = None  # the budgets for this page, if any


PAGES = [
    Page("district", "/", load=True),
    Page("district, resident", "/", who="resident", load=True),
    Page("community, visitor", "/c/xinghua/", load=True, budget=HOME),
    Page("community, resident", "/c/xinghua/", who="resident", load=True, budget=HOME),
    Page("wish tree, visitor", "/c/xinghua/wishes/", load=True, budget=TREE),
    Page("wish tree, resident", "/c/xinghua/wishes/", who="resident", load=True, budget=TREE),
    Page("wish tree, member", "/c/xinghua/wishes/", who="member", budget=TREE),
    Page("wish+photo, visitor", "/c/xinghua/wishes/1/", budget=WISH),
    Page("wish staff queue", "/staff/c/xinghua/wishes/", who="staff"),
    Page("case board", "/c/xinghua/suggestions/", load=True, budget=BOARD),
    Page("board, resident", "/c/xinghua/suggestions/", who="resident", load=True, budget=BOARD),
    Page("case, visitor", f"/s/{CASE_CODE}", load=True, budget=CASE),
    Page("case, resident", f"/s/{CASE_CODE}", who="resident", load=True, budget=CASE),
    Page("case, staff", f"/s/{CASE_CODE}", who="staff", budget=CASE),
    Page(
        "case queue, community",
        "/staff/c/xinghua/suggestions/",
        who="staff",
        load=True,
        budget=QUEUE,
    ),
    Page("case queue, street", "/staff/street/liuyin/suggestions/", who="street", budget=QUEUE),
    Page("monthly report", "/c/xinghua/suggestions/report", load=True),
    Page("monthly report, resident", "/c/xinghua/suggestions/report", who="resident", load=True),
    Page("street figures", "/staff/street/liuyin/wishes/", who="street"),
    Page("district figures", "/staff/wishes/", who="admin"),
    Page("hall, visitor", "/c/xinghua/hall/", load=True, goal=False),
    Page("topic+vote, visitor", "/c/xinghua/hall/1/", load=True, goal=False, budget=TOPIC),
    Page(
        "topic+vote, resident",
        "/c/xinghua/hall/1/",
        who="resident",
        load=True,
        goal=False,
        budget=TOPIC,
    ),
    Page("lift vote result, staff", "/c/xinghua/hall/4/", who="staff", budget=TOPIC),
    Page("convention, visitor", "/c/xinghua/hall/7/", budget=TOPIC),
    Page("hall queue", "/staff/c/xinghua/hall/", who="staff"),
    Page("login", "/login"),
    Page("staff community", "/staff/c/xinghua/", who="staff"),
    Page("admin people", "/staff/admin/people", who="admin"),
]


class StartError(RuntimeError):
    """The database could not be set up or a server did not come up."""


STARTED = time.monotonic()


def note(message: str) -> None:
    """Progress and warnings on stderr, so that stdout holds the report alone; with the
    seconds since the start, which show where a run's time goes."""
    print(f"  · {time.monotonic() - STARTED:4.0f} s  {message}", file=sys.stderr, flush=True)


# --- HTTP, bytes as sent ------------------------------------------------------------------


def sign_in(port: int, phone: str) -> dict[str, str]:
    """The cookies of a signed-in browser: the CSRF cookie from the form, then the session."""
    cookies = request(port, "/login").cookies
    answer = request(
        port,
        "/login",
        cookies=cookies,
        form={"phone": phone, "password": PASSWORD, "_csrf_token": cookies.get("csrftoken", "")},
    )
    if answer.status != 303 or "session" not in answer.cookies:
        raise RuntimeError(f"signing in as {phone} failed: HTTP {answer.status}")
    return {**cookies, **answer.cookies}


class AssetLinks(HTMLParser):
    """The stylesheets and scripts a first visit has to download besides the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


def asset_urls(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return parser.urls


# --- servers ----------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    # Held open together so that the kernel cannot hand out the same port twice.
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def civic_command() -> list[str]:
    # The console script beside this interpreter: the venv's own, even when not on PATH.
    script = Path(sys.executable).parent / "civic"
    if script.exists():
        return [str(script)]
    found = shutil.which("civic")
    if found is None:
        raise StartError("the civic command is missing: run `make bench`, it installs it")
    return [found]


def setup_database(env: dict[str, str]) -> None:
    for args in (["migrate"], ["demo", "--quiet"]):
        done = subprocess.run(
            [*civic_command(), *args], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise StartError(f"civic {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def start(
    stack: ExitStack, command: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Starts a server whose output goes to `log`; the stack stops it however the run ends."""
    out = stack.enter_context(log.open("wb"))
    # A session of its own: Ctrl-C reaches this script only, which then stops it in order.
    proc = subprocess.Popen(
        command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    stack.callback(stop, proc)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_ready(
    proc: subprocess.Popen[bytes], port: int, path: str, log: Path, seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if request(port, path, compressed=False, timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:]
    if proc.poll() is not None:
        raise StartError(f"{log.stem} exited with code {proc.returncode}:\n{tail}")
    raise StartError(f"nothing answered 200 on :{port}{path} within {seconds:.0f} s\n{tail}")


# --- measurements -----------------------------------------------------------------------


def wrk(
    port: int,
    path: str,
    seconds: int,
    cookies: dict[str, str] | None,
    *,
    threads: int = 1,
    connections: int = 10,
) -> float | None:
    """Requests per second with ten connections on one thread: a bounded, local load. It asks
    for compressed pages, as browsers do."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["-H", "Accept-Encoding: br, gzip"]
    if cookies:
        command += ["-H", f"Cookie: {cookie_header(cookies)}"]
    try:
        done = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        note("wrk is missing: no requests per second")
        return None
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    if bad:
        note(f"{path}: {bad.group(1)} answers were not 2xx/3xx under load")
    errors = re.search(r"Socket errors:.*", done.stdout)
    if errors:
        note(f"{path}: {errors.group(0)}")
    return float(rate.group(1)) if rate and not bad else None


# Called once `main h1` is laid out. Layout can happen before the stylesheet arrives, but
# nothing is painted until it does: the answer is the first contentful paint, or, when the
# heading came after that paint, the first frame after the heading.
SHOWN_JS = """
async () => {
  const laidOut = performance.now();
  const fcp = await new Promise(done => {
    new PerformanceObserver(list => {
      const entry = list.getEntriesByName("first-contentful-paint")[0];
      if (entry) done(entry.startTime);
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => done(null), 30000);
  });
  if (fcp !== null && fcp >= laidOut) return fcp;
  return new Promise(done =>
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))));
}
"""


def time_to_main(port: int, jobs: list[tuple[str, dict[str, str] | None]]) -> list[float | None]:
    """Milliseconds from navigation start until `main h1` is painted, on a slow link."""
    from playwright.sync_api import Error, sync_playwright

    results: list[float | None] = []
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Error as e:
            note(f"Chromium did not start: {e.message.splitlines()[0]}")
            return [None] * len(jobs)
        try:
            for path, cookies in jobs:
                # A new context each time: a first visit, nothing cached, no cookies but ours.
                context = browser.new_context()
                try:
                    if cookies:
                        context.add_cookies(
                            [{"name": k, "value": v, "url": base} for k, v in cookies.items()]
                        )
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
                    page.goto(base + path, wait_until="commit")
                    page.wait_for_selector("main h1", state="visible", timeout=30_000)
                    results.append(page.evaluate(SHOWN_JS))
                except Error as e:
                    note(f"browser on {path}: {e.message.splitlines()[0]}")
                    results.append(None)
                finally:
                    context.close()
        finally:
            browser.close()
    return results


@dataclass
class Row:
    page: Page
    status: int
    html: int
    first_visit: int
    queries: int | None
    rps: float | None = None
    shown_ms: float | None = None
    cpu_ms: float | None = None  # a request's CPU in process (bench/statements.py)
    statements: list[tuple[str, float]] | None = None  # each SQL statement, its CPU ms


def measure_page(
    port: int, page: Page, cookies: dict[str, str] | None, assets: dict[str, int]
) -> Row:
    got = request(port, page.path, cookies=cookies)
    first_visit = len(got.body)
    if got.status == 200:
        for url in asset_urls(got.text()):
            if url not in assets:
                assets[url] = len(request(port, url).body)
            first_visit += assets[url]
    count = got.headers.get("X-Query-Count")
    return Row(page, got.status, len(got.body), first_visit, int(count) if count else None)


@dataclass(frozen=True)
class Pdf:
    label: str
    path: str
    budget: int
    text: str  # must be found in the PDF's text
    seconds: float | None = None  # render-time budget, if the issue sets one


PDFS = [
    Pdf("poster", "/c/xinghua/poster.pdf", 150 * KB, "杏花社区"),
    Pdf("monthly report", "/c/xinghua/suggestions/report.pdf", 200 * KB, "意见箱月报告", 1.0),
    Pdf("case receipt", f"/s/{CASE_CODE}/receipt.pdf", 150 * KB, "意见回执"),
    Pdf("convention", "/c/xinghua/hall/7/outcome.pdf", 150 * KB, "文明养犬"),
]


@dataclass
class PdfRun:
    pdf: Pdf
    path: str
    size: int
    median_ms: float
    text_ok: bool


def measure_pdf(port: int, pdf: Pdf, path: str, folder: Path) -> PdfRun:
    request(port, path, compressed=False)  # warm-up: fonts and WeasyPrint load on first use
    runs = [request(port, path, compressed=False) for _ in range(5)]
    if any(r.status != 200 for r in runs):
        raise RuntimeError(f"{path}: HTTP {[r.status for r in runs]}")
    file = folder / "notice.pdf"
    file.write_bytes(runs[-1].body)
    try:
        text = subprocess.run(
            ["pdftotext", "-q", str(file), "-"], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        note("pdftotext is missing (poppler-utils): the PDF's text is not checked")
        text = ""
    median_ms = statistics.median(r.seconds for r in runs) * 1000
    return PdfRun(pdf, path, len(runs[-1].body), median_ms, pdf.text in text.replace(" ", ""))


def public_case_code(port: int) -> str:
    """A public case of the demo board, for the pages that show one case."""
    board = request(port, "/c/xinghua/suggestions/").text()
    found = re.search(r'href="/s/([A-Z2-9]{8})"', board)
    if not found:
        raise RuntimeError("the demo board shows no case")
    return found.group(1)


# --- report -----------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def cell(value: float | None, budget: float | None = None, fmt: str = "{:,.0f}") -> str:
    if value is None:
        return "—"
    shown = fmt.format(value)
    return f"{shown} {mark(value <= budget)}" if budget is not None else shown


COLUMNS = (
    ("page", 20),
    ("path", 20),
    ("HTML B", 10),
    ("1st visit B", 13),
    ("SQL", 5),
    ("SQL ms", 6),
    ("CPU ms", 6),
    ("req/s", 7),
    ("÷bare", 6),
    ("shown ms", 8),
)


def table_line(cells: tuple[str, ...]) -> str:
    """Words to the left, numbers to the right."""
    return "  ".join(
        f"{c:<{w}}" if i < 2 else f"{c:>{w}}"
        for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def print_table(rows: list[Row], bare_rps: float | None) -> None:
    head = table_line(tuple(name for name, _ in COLUMNS))
    print(head)
    print("-" * len(head))
    for r in rows:
        budget = r.page.budget
        label = r.page.label if r.status == 200 else f"{r.page.label} (HTTP {r.status})"
        ratio = r.rps / bare_rps if r.rps is not None and bare_rps else None
        cells = (
            label,
            r.page.path,
            cell(r.html, budget.html if budget else None),
            cell(r.first_visit, budget.first_visit if budget else None),
            cell(r.queries, budget.queries if budget else None),
            cell(
                sum(ms for _, ms in r.statements) if r.statements is not None else None,
                fmt="{:.1f}",
            ),
            cell(r.cpu_ms, fmt="{:.1f}"),
            cell(r.rps),
            cell(ratio, fmt="{:.2f}"),
            cell(r.shown_ms),
        )
        print(table_line(cells))
    print(table_line(("bare base template", "/", "", "", "", "", "", cell(bare_rps), "1.00", "")))


def print_header(seconds: int, database: str) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"掌上社区 bench on {database}  {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"CPUs: {os.cpu_count()}  load average: {load}  Python {sys.version.split()[0]}")
    print(
        f"one worker each; wrk -t1 -c10 -d{seconds}s, Accept-Encoding: br, gzip; "
        f"browser: Chromium, cold cache, {SLOW_LINK['latency']} ms latency, 400 kbit/s"
    )
    print("SQL ms and CPU ms: a request's statements and the whole request, in process")
    print(
        f"budgets for a community's home: HTML ≤ {HOME_HTML_BUDGET // KB} KB compressed, "
        f"first visit ≤ {HOME_FIRST_VISIT_BUDGET // KB} KB, ≤ {HOME_QUERY_BUDGET} SQL queries; "
        f"wish tree and case board ≤ {TREE.html // KB} KB and ≤ {TREE.queries} queries; "
        f"a wish or a case ≤ {WISH.html // KB} KB; a staff queue ≤ {QUEUE.html // KB} KB; "
        f"a wish's photo ≤ {PHOTO_BUDGET // KB} KB"
    )
    print(flush=True)


@dataclass
class Site:
    """The site served by one `civic serve`, and its visitors' and signed-in cookies."""

    port: int
    proc: subprocess.Popen[bytes]
    signed_in: dict[str, dict[str, str]] = field(default_factory=dict)


def serve(stack: ExitStack, env: dict[str, str], log: Path, *extra: str) -> Site:
    (port,) = free_ports(1)
    proc = start(stack, [*civic_command(), "serve", "--port", str(port), *extra], env, log)
    wait_ready(proc, port, "/healthz", log)
    return Site(port, proc)


def fetch_rows(site: Site, pages: list[Page]) -> list[Row]:
    site.signed_in = {who: sign_in(site.port, phone) for who, phone in PHONES.items()}
    assets: dict[str, int] = {}
    return [
        measure_page(site.port, page, site.signed_in[page.who] if page.who else None, assets)
        for page in pages
    ]


def load_rows(site: Site, rows: list[Row], seconds: int) -> None:
    for row in rows:
        if row.page.load:
            row.rps = wrk(site.port, row.page.path, seconds, site.signed_in.get(row.page.who or ""))


def in_process(env: dict[str, str], rows: list[Row]) -> None:
    """Each page's CPU per request and its SQL, measured in a process of its own."""
    asked = {
        "pages": [{"label": r.page.label, "path": r.page.path, "who": r.page.who} for r in rows],
        "phones": PHONES,
        "runs": 25,  # a median of many: a cached page costs half a millisecond
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "statements.py")],
        input=json.dumps(asked),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        note(f"the in-process measure failed:\n{done.stderr[-2000:]}")
        return
    for row, measured in zip(rows, json.loads(done.stdout), strict=True):
        row.cpu_ms = measured["cpu_ms"]
        row.statements = [(s["sql"], s["cpu_ms"]) for s in measured["statements"]]


def bench(
    seconds: int, folder: Path, stack: ExitStack, database: str, scales: tuple[int, ...]
) -> None:
    url = os.environ["CIVIC_DATABASE_URL"] if database == "postgres" else ""
    env = {
        **os.environ,
        "CIVIC_DATABASE_URL": url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "CIVIC_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "CIVIC_COUNT_QUERIES": "true",
    }
    note(f"loading the demo district on {database}")
    setup_database(env)
    (bare,) = free_ports(1)
    bare_log = folder / "bare.log"
    bare_command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(HERE)]
    bare_command += ["--port", str(bare), "--workers", "1", "--log-level", "warning"]
    bare_proc = start(stack, bare_command, env, bare_log)
    site = serve(stack, env, folder / "site.log")
    wait_ready(bare_proc, bare, "/", bare_log)

    print_header(seconds, database)
    note("signing in, fetching pages and their assets")
    code = public_case_code(site.port)
    pages = [replace(p, path=p.path.replace(CASE_CODE, code)) for p in PAGES]
    rows = fetch_rows(site, pages)

    note(f"wrk, {seconds} s per page")
    bare_rps = wrk(bare, "/", seconds, None)
    load_rows(site, rows, seconds)
    note("SQL and CPU per page, in process")
    in_process(env, rows)

    note("Chromium on a slow link")
    jobs = [(r.page.path, site.signed_in[r.page.who] if r.page.who else None) for r in rows]
    for row, ms in zip(rows, time_to_main(site.port, jobs), strict=True):
        row.shown_ms = ms

    note("PDF notices")
    pdfs = [measure_pdf(site.port, p, p.path.replace(CASE_CODE, code), folder) for p in PDFS]
    photo = request(site.port, PHOTO_PATH)
    poll, unchanged = measure_poll(site.port)
    print_table(rows, bare_rps)
    print()
    print_goals(rows, bare_rps)
    print(
        f"wish photo {PHOTO_PATH}: HTTP {photo.status}, {photo.headers.get('Content-Type')}, "
        f"{len(photo.body):,} B {mark(photo.status == 200 and len(photo.body) <= PHOTO_BUDGET)}"
    )
    print(
        f"topic poll {POLL_PATH}: HTTP {poll.status}, {len(poll.body):,} B; unchanged: HTTP "
        f"{unchanged.status}, {wire_size(unchanged):,} B with headers "
        f"{mark(unchanged.status == 304 and wire_size(unchanged) <= POLL_304_BUDGET)}"
    )
    for run in pdfs:
        pdf = run.pdf
        timing = f"{run.median_ms:.0f} ms (median of 5)"
        if pdf.seconds is not None:
            timing += f" {mark(run.median_ms <= pdf.seconds * 1000)}"
        print(
            f"{pdf.label} PDF {run.path}: {run.size:,} B {mark(run.size <= pdf.budget)}"
            f"  render {timing}  text has {pdf.text}: {mark(run.text_ok)}"
        )
    print(flush=True)

    note("servers: two workers against one, granian, nginx in front of two processes")
    servers(stack, env, folder, site, seconds)
    print(flush=True)
    print_statements(rows, "1×")

    by_scale = {1: rows}
    bare_by_scale = {1: bare_rps}
    already = 1
    for factor in scales:
        note(f"growing xinghua to {factor}× the demo's rows")
        grow(env, factor, already)
        already = factor
        stop(site.proc)  # a server of its own for each size: nothing of the last one cached
        site = serve(stack, env, folder / f"site-{factor}.log")
        scaled = fetch_rows(site, pages)
        note(f"wrk at {factor}×")
        # The bare page again, beside these: the machine's speed drifts between the sizes.
        bare_by_scale[factor] = wrk(bare, "/", seconds, None)
        load_rows(site, scaled, seconds)
        in_process(env, scaled)
        by_scale[factor] = scaled
    print_scales(by_scale, bare_by_scale)
    print_statements(by_scale[scales[-1]], f"{scales[-1]}×")
    stop(site.proc)
    # Last: the filings add cases, which would change what the sizes above compare.
    note(f"16 concurrent writers, {seconds} s each")
    writing = serve(stack, {**env, **writers.UNLIMITED}, folder / "site-writers.log")
    writers.report(writers.measure(writing.port, seconds))
    stop(writing.proc)


def grow(env: dict[str, str], factor: int, already: int) -> None:
    done = subprocess.run(
        [sys.executable, str(HERE / "scale.py"), str(factor), "--from", str(already)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StartError(f"growing the data failed:\n{done.stdout}{done.stderr[-3000:]}")
    print(done.stdout.strip(), flush=True)


# --- goals --------------------------------------------------------------------------------

VISITOR_GOAL = 0.5  # of the bare page's requests per second, on one worker
SIGNED_IN_GOAL = 0.25
WORKERS_GOAL = 1.7
TWO_WORKERS_PATH = "/c/xinghua/"


def ratio(rps: float | None, bare_rps: float | None) -> float | None:
    return rps / bare_rps if rps is not None and bare_rps else None


def print_goals(rows: list[Row], bare_rps: float | None) -> None:
    """The issue's goals for one worker: visitors' views and signed-in views ÷ bare; then the
    pages measured beside them that the issue does not name."""
    for title, goal, signed in (
        ("visitor", VISITOR_GOAL, False),
        ("signed-in", SIGNED_IN_GOAL, True),
    ):
        parts = []
        for r in rows:
            value = ratio(r.rps, bare_rps)
            if value is not None and r.page.goal and (r.page.who is not None) == signed:
                parts.append(f"{r.page.label} {value:.2f} {mark(value >= goal)}")
        print(f"{title} views ÷ bare (goal ≥ {goal}): " + ("; ".join(parts) or "—"))
    others = [
        f"{r.page.label} {value:.2f}"
        for r in rows
        if not r.page.goal and (value := ratio(r.rps, bare_rps)) is not None
    ]
    if others:
        print("also measured, ÷ bare: " + "; ".join(others))


def servers(stack: ExitStack, env: dict[str, str], folder: Path, one: Site, seconds: int) -> None:
    """Two workers against one, granian against uvicorn, and nginx in front of two processes,
    each on the community's home as a visitor, with more connections than the page rows."""
    path = TWO_WORKERS_PATH
    load = {"threads": 2, "connections": 32}
    two = serve(stack, env, folder / "site-2.log", "--workers", "2")
    # Taken in turns, three times each, and the medians compared: on a small machine the
    # speed drifts from one run to the next by more than the goal's margin.
    runs: dict[int, list[float]] = {1: [], 2: []}
    busy: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(3):
        for workers, port in ((1, one.port), (2, two.port)):
            before = machine_busy()
            if (rps := wrk(port, path, seconds, None, **load)) is not None:
                runs[workers].append(rps)
                busy[workers].append((machine_busy() - before) / seconds)
    stop(two.proc)
    single = statistics.median(runs[1]) if runs[1] else None
    double = statistics.median(runs[2]) if runs[2] else None
    times = ratio(double, single)
    print(
        f"two workers against one, {path}, wrk -t2 -c32, medians of 3 in turns: "
        f"{cell(single)} → {cell(double)} req/s, "
        + (f"{times:.2f}× {mark(times >= WORKERS_GOAL)} (goal ≥ {WORKERS_GOAL}×)" if times else "—")
    )
    if busy[1] and busy[2]:
        # wrk and the database share the cores with the workers: what one worker's requests
        # cost the whole machine says how much room two have, whatever the site does.
        cores = os.cpu_count() or 1
        one_busy, two_busy = statistics.median(busy[1]), statistics.median(busy[2])
        print(
            f"  cores busy (of {cores}, wrk and the database included): one worker "
            f"{one_busy:.2f}, two workers {two_busy:.2f}; at one worker's cost per request "
            f"the cores have room for {cores / one_busy:.2f}× one worker"
        )
    uvicorn = per_cpu_second(one.proc, lambda: wrk(one.port, path, seconds, None), seconds)
    granian = granian_rps(stack, env, folder, path, seconds)
    if granian is None:
        print("granian: not installed, not measured")
    else:
        # Our servers pay for cores: the one that does more with a CPU-second is the one kept.
        faster = "granian" if (granian[1] or 0) > (uvicorn[1] or 0) else "uvicorn"
        print(
            f"one worker, {path}, wrk -t1 -c10: uvicorn {cell(uvicorn[0])} req/s, "
            f"{cell(uvicorn[1])} per CPU-second; granian {cell(granian[0])} req/s, "
            f"{cell(granian[1])} per CPU-second: {faster} does more per CPU-second"
        )
    topology(env, path, seconds, single)


def granian_rps(
    stack: ExitStack, env: dict[str, str], folder: Path, path: str, seconds: int
) -> tuple[float | None, float | None] | None:
    try:
        import granian  # noqa: F401  (only whether it is there)
    except ImportError:
        return None
    (port,) = free_ports(1)
    log = folder / "granian.log"
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "civic.asgi:app"]
    proc = start(stack, command, env, log)
    try:
        wait_ready(proc, port, "/healthz", log)
        return per_cpu_second(proc, lambda: wrk(port, path, seconds, None), seconds)
    finally:
        stop(proc)


def machine_busy() -> float:
    """CPU-seconds every core of this machine has spent on anything but waiting (/proc/stat)."""
    # user, nice, system, idle, iowait, irq, softirq, steal
    ticks = [int(t) for t in Path("/proc/stat").read_text().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """The CPU a server and the processes it started have used so far (Linux's /proc)."""
    ticks = 0
    pids = [proc.pid]
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        pids += [int(c) for c in children]
    return ticks / os.sysconf("SC_CLK_TCK")


def per_cpu_second(
    proc: subprocess.Popen[bytes], load: Callable[[], float | None], seconds: int
) -> tuple[float | None, float | None]:
    """Requests per second under `load`, and requests per CPU-second the server spent."""
    before = cpu_seconds(proc)
    rps = load()
    spent = cpu_seconds(proc) - before
    return rps, (rps * seconds / spent if rps and spent else None)


def topology(env: dict[str, str], path: str, seconds: int, single: float | None) -> None:
    """nginx in front of two `civic serve` processes sharing a Redis, on this run's database."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.topology.stack import start_topology
    except ImportError:
        print("topology: tests/topology/stack.py is not there, not measured")
        return
    settings = {
        k: v for k, v in env.items() if k.startswith("CIVIC_") and k != "CIVIC_DATABASE_URL"
    }
    try:
        with start_topology(
            env["CIVIC_DATABASE_URL"], apps=2, env=settings, upstream_header=False
        ) as running:
            through = wrk(running.nginx_port, path, seconds, None, threads=2, connections=32)
    except (RuntimeError, OSError) as e:
        print(f"topology: did not start ({e}), not measured")
        return
    times = ratio(through, single)
    print(
        f"nginx in front of two processes, {path}, wrk -t2 -c32: {cell(through)} req/s"
        + (f", {times:.2f}× one worker" if times else "")
    )


# --- growth -------------------------------------------------------------------------------


def cost_ratio(
    base: Row, now: Row, bare_base: float | None, bare_now: float | None
) -> float | None:
    """How many times the page costs at this size what it cost at 1×: CPU per request in
    process, or per request under wrk as a share of the bare page's measured beside it,
    whichever grew more."""
    found = []
    if base.cpu_ms and now.cpu_ms:
        found.append(now.cpu_ms / base.cpu_ms)
    if base.rps and now.rps and bare_base and bare_now:
        found.append((base.rps / bare_base) / (now.rps / bare_now))
    return max(found) if found else None


def scale_columns(scales: list[int]) -> tuple[tuple[str, int], ...]:
    sizes = "/".join(f"{f}×" for f in scales)
    return (
        ("page", 24),
        (f"HTML B {sizes}", 26),
        ("SQL", 10),
        ("CPU ms", 18),
        ("req/s", 17),
        *((f"cost ×{f}", 10) for f in scales[1:]),
    )


def scale_line(cells: tuple[str, ...], columns: tuple[tuple[str, int], ...]) -> str:
    return "  ".join(
        f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
        for i, (c, (_, w)) in enumerate(zip(cells, columns, strict=True))
    )


def print_scales(by_scale: dict[int, list[Row]], bare: dict[int, float | None]) -> None:
    scales = list(by_scale)
    columns = scale_columns(scales)
    print()
    print(f"with xinghua at {'×, '.join(str(f) for f in scales)}× the demo's rows; cost = CPU per")
    print(
        f"request (in process, and under wrk ÷ the bare page's where measured) ÷ its cost at 1×"
        f" (goal ≤ {COST_GOAL})"
    )
    head = scale_line(tuple(name for name, _ in columns), columns)
    print(head)
    print("-" * len(head))
    base = by_scale[1]
    for i, row in enumerate(base):
        same = [by_scale[f][i] for f in scales]
        budget = row.page.budget
        html = "/".join(f"{r.html:,}" for r in same)
        if budget:
            html += f" {mark(all(r.html <= budget.html for r in same))}"
        costs = [cost_ratio(row, by_scale[f][i], bare[1], bare[f]) for f in scales[1:]]
        cells = (
            row.page.label if all(r.status == 200 for r in same) else f"{row.page.label} (HTTP)",
            html,
            "/".join("—" if r.queries is None else str(r.queries) for r in same),
            "/".join("—" if r.cpu_ms is None else f"{r.cpu_ms:.1f}" for r in same),
            "/".join("—" if r.rps is None else f"{r.rps:.0f}" for r in same),
            *("—" if c is None else f"{c:.2f} {mark(c <= COST_GOAL)}" for c in costs),
        )
        print(scale_line(cells, columns))
    rates = "/".join("—" if bare[f] is None else f"{bare[f]:.0f}" for f in scales)
    print(scale_line(("bare base template", "", "", "", rates, *("" for _ in scales[1:])), columns))
    print(flush=True)


def brief(sql: str, width: int = 150) -> str:
    """A statement on one line, its list of columns left out: what it reads and how."""
    one = " ".join(sql.split())
    one = re.sub(r"^SELECT (ALL |DISTINCT )?.*? FROM ", r"SELECT … FROM ", one, count=1)
    return one if len(one) <= width else one[: width - 1] + "…"


def print_statements(rows: list[Row], size: str) -> None:
    print(f"SQL per page at {size} (CPU ms of each statement, in process; the last of 5 runs)")
    for row in rows:
        if row.statements is None:
            continue
        total = sum(ms for _, ms in row.statements)
        print(f"{row.page.label} {row.page.path}: {len(row.statements)} statements, {total:.2f} ms")
        for sql, ms in row.statements:
            print(f"  {ms:6.2f}  {brief(sql)}")
    print(flush=True)


def wire_size(got: Fetched) -> int:
    """The response as it crossed the wire: status line, headers and body."""
    head = "".join(f"{k}: {v}\r\n" for k, v in got.headers.items())
    return len(f"HTTP/1.1 {got.status} \r\n{head}\r\n".encode()) + len(got.body)


def measure_poll(port: int) -> tuple[Fetched, Fetched]:
    """A visitor's poll of the topic's posts, then the same poll with the ETag it was given."""
    first = request(port, POLL_PATH)
    tag = first.headers.get("ETag", "")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request(
            "GET", POLL_PATH, headers={"Accept-Encoding": "br, gzip", "If-None-Match": tag}
        )
        response = conn.getresponse()
        again = Fetched(
            response.status, response.headers, response.read(), time.perf_counter() - started
        )
    finally:
        conn.close()
    return first, again


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument(
        "--quick", action="store_true", help="3 s per wrk run, and 100× without 10× first"
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="a throwaway SQLite file (the default) or PostgreSQL cluster",
    )
    args = parser.parse_args(argv)
    seconds = 3 if args.quick else args.duration
    if args.database == "postgres" and not os.environ.get(THROWAWAY):
        # The same run again inside scripts/with-postgres.sh, which starts a cluster, sets
        # CIVIC_DATABASE_URL and removes the cluster when the run ends. Only a database that
        # script made is ever loaded with the demo.
        wrapper = ROOT / "scripts" / "with-postgres.sh"
        again = [sys.executable, str(Path(__file__).resolve()), *(argv or sys.argv[1:])]
        os.execv(str(wrapper), [str(wrapper), "env", f"{THROWAWAY}=1", *again])  # noqa: S606

    # A plain `kill` should clean up as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="civic-bench-")))
            bench(seconds, folder, stack, args.database, QUICK_SCALES if args.quick else SCALES)
    except (StartError, RuntimeError) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    print(f"\ntook {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
