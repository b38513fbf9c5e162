"""Test set-up: a database of the test process's own, migrated once; every test starts from
empty tables.

The suite runs on SQLite by default; `make test-postgres` runs it again with
CIVIC_DATABASE_URL pointing at a throwaway PostgreSQL cluster. Under pytest-xdist each worker
takes a database of its own, named after it (test-gw0.sqlite3, civic_gw0), so no worker sees
another's rows."""

from __future__ import annotations

import asyncio
import atexit
import inspect
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")


def _worker_url(url: str, worker: str) -> str:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(f'{path.stem}-{worker}{path.suffix}')}"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{worker}"))


def _scratch_folder() -> str:
    # On SQLite each write commits and syncs the file on its own; in memory (where the system
    # has a memory file system) that sync costs nothing, on a disk more than the write.
    memory = Path("/dev/shm")  # noqa: S108 (mkdtemp makes a folder of our own in it)
    folder = tempfile.mkdtemp(
        prefix="civic-test-", dir=memory if os.access(memory, os.W_OK) else None
    )
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


# Before civic is imported: the engine is chosen from these. Workers inherit the URL the
# controlling process chose and each derive their own from it.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if not os.environ.get("CIVIC_DATABASE_URL"):
    os.environ["CIVIC_DATABASE_URL"] = f"sqlite:///{_scratch_folder()}/test.sqlite3"
BASE_URL = os.environ["CIVIC_DATABASE_URL"]
if WORKER:
    os.environ["CIVIC_DATABASE_URL"] = _worker_url(BASE_URL, WORKER)
URL = os.environ["CIVIC_DATABASE_URL"]
os.environ.setdefault("CIVIC_SECRET_KEY", "a-test-secret-key-that-is-long-enough-0123456789")
# PostgreSQL pools, each in the event loop that opened it (the test client's app has its own):
# as large as the most queries a test runs at once, so they run as concurrently as they are
# sent.
POOL_SIZE = 50
os.environ["CIVIC_DB_POOL_SIZE"] = str(POOL_SIZE)
os.environ["CIVIC_COUNT_QUERIES"] = "true"
# The clocks run when a test says so (tests/http/test_sweeps.py), not every minute beside it.
os.environ.setdefault("CIVIC_SWEEP_SECONDS", "0")
os.environ.setdefault("CIVIC_PASSWORD_COST", "low")  # cheap argon2id parameters, same code
ON_POSTGRES = URL.startswith("postgres")
OWN_DATABASE = f'"{urlsplit(URL).path.lstrip("/")}"' if ON_POSTGRES and URL != BASE_URL else ""

import asyncpg  # noqa: E402


async def _admin(*statements: str) -> None:
    admin = await asyncpg.connect(os.environ.get("CIVIC_TEST_PG_ADMIN_URL", BASE_URL))
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


if OWN_DATABASE:
    # Before civic is imported: the engine asks the database for its version when it is made.
    drop = f"DROP DATABASE IF EXISTS {OWN_DATABASE} WITH (FORCE)"
    asyncio.run(_admin(drop, f"CREATE DATABASE {OWN_DATABASE}"))

import pytest  # noqa: E402
from piccolo.engine import engine_finder  # noqa: E402
from piccolo.table import sort_table_classes  # noqa: E402

from civic import db as civic_db  # noqa: E402
from civic.cli import migrate  # noqa: E402
from civic.piccolo_conf import APP_REGISTRY  # noqa: E402

TABLES = [
    t._meta.tablename
    for t in sort_table_classes(
        [t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes]
    )
]


# Whether the tables may hold rows. The engine counts the statements this process runs; what
# bypasses it is seen through Python's audit events: another process started (the `civic`
# command, a server), a connection opened by hand (sqlite3, or a socket to PostgreSQL's
# port). A process started for several tests (the browser tests' server) may write in each of
# them, so while one runs every test counts as having written.
class _Tables:
    statements_seen = -1  # the engine's count when the tables were last emptied; never yet
    outside_writer = False
    connections_expected = 0  # SQLite connections about to be opened for reading only


_OUTSIDE = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.posix_spawn",
        "os.spawn",
        "os.exec",
        "os.fork",
        "os.forkpty",
        "sqlite3.connect",
        "socket.connect",
    }
)
_emptying = threading.local()  # set in the thread that empties the tables: its own connection


_PORT = urlsplit(URL).port or 5432


def _to_the_database(address: object) -> bool:
    if not ON_POSTGRES:
        return False
    if isinstance(address, tuple):
        return address[1] == _PORT
    return True  # a Unix socket, or an address of a kind not known here


def _audit(event: str, args: tuple) -> None:
    if event not in _OUTSIDE or getattr(_emptying, "active", False):
        return
    if event == "socket.connect" and not _to_the_database(args[1]):
        return
    if event == "sqlite3.connect" and _Tables.connections_expected:
        # Whichever connection takes the place of the expected one, as many are counted as
        # were not expected: one opened meanwhile still marks the tables.
        _Tables.connections_expected -= 1
        return
    _Tables.outside_writer = True


sys.addaudithook(_audit)


# What this suite starts that never opens the site's database, as its process is named.
_NOT_WRITERS = frozenset({"redis-server"})


def _children() -> list[str]:
    """The processes this one started that have not been waited for yet."""
    found = []
    for task in os.listdir("/proc/self/task"):
        try:
            found += Path(f"/proc/self/task/{task}/children").read_text().split()
        except FileNotFoundError:
            # A thread that has just ended hands its children to another, maybe one read
            # already: ask every process for its parent instead.
            return _children_by_parent()
    return found


def _children_by_parent() -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue  # ended, so it writes nothing more
        if stat.rpartition(")")[2].split()[1] == str(os.getpid()):
            found.append(pid)
    return found


def _writer_running() -> bool:
    try:
        return any(
            Path(f"/proc/{child}/comm").read_text().strip() not in _NOT_WRITERS
            for child in _children()
        )
    except OSError:
        return True  # cannot tell: assume one is


def may_hold_rows() -> bool:
    return (
        _Tables.statements_seen != civic_db.statements_run
        or _Tables.outside_writer
        or _writer_running()
    )


def on_own_thread(function: Callable[..., T], *args: Any) -> T:
    """Call `function` on a fresh thread that the audit hook ignores. Its asyncio.run() works
    whatever loop runs here (pytest-asyncio's, Playwright's)."""

    def quiet() -> None:
        _emptying.active = True

    with ThreadPoolExecutor(max_workers=1, initializer=quiet) as thread:
        return thread.submit(function, *args).result()


def _empty_sqlite() -> None:
    with closing(sqlite3.connect(civic_db.sqlite_path(URL), timeout=30)) as connection:
        connection.isolation_level = None
        names = list(reversed(TABLES))  # the rows that point at others go first
        # AUTOINCREMENT keys would go on counting from the last test's without this.
        if connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone():
            names.append("sqlite_sequence")
        deletes = "".join(f'DELETE FROM "{name}";' for name in names)  # noqa: S608 (our tables)
        # One transaction: one commit for all the tables.
        connection.executescript(f"BEGIN IMMEDIATE;{deletes}COMMIT;")


async def _empty_postgres() -> None:
    connection = await asyncpg.connect(URL)
    try:
        # Quoted: a table may be named after an SQL word (case).
        names = ", ".join(f'"{name}"' for name in TABLES)
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


def empty_all_tables() -> None:
    # Read before emptying: a statement run meanwhile leaves the tables counted as written.
    seen = civic_db.statements_run
    _Tables.outside_writer = False
    if ON_POSTGRES:
        on_own_thread(asyncio.run, _empty_postgres())
    else:
        on_own_thread(_empty_sqlite)
    _Tables.statements_seen = seen


def empty_tables_if_written() -> None:
    if may_hold_rows():
        empty_all_tables()


@pytest.fixture(scope="session")
def database() -> Iterator[None]:
    on_own_thread(asyncio.run, migrate())
    yield
    if OWN_DATABASE:
        on_own_thread(asyncio.run, _admin(f"DROP DATABASE IF EXISTS {OWN_DATABASE} WITH (FORCE)"))


def _check_tallies() -> None:
    from tests.tallies import mismatches

    wrong = on_own_thread(asyncio.run, mismatches())
    assert not wrong, "the workflow's tallies differ from its records:\n" + "\n".join(wrong)


@pytest.fixture(autouse=True)
def clean_database(database: None) -> Iterator[None]:
    """Every test starts from empty tables; only a test that may have written anything pays
    for emptying them, after it ends (and before the next, for what was written between).
    What it wrote is checked first: the workflows' tallies still count its records."""
    empty_tables_if_written()
    yield
    if may_hold_rows():
        try:
            _check_tallies()
        finally:
            empty_all_tables()


@pytest.fixture
async def shared_connections() -> AsyncIterator[None]:
    """What the site keeps open while it serves, for this test's event loop: SQLite's read
    connection, a PostgreSQL pool. Without them each statement opens a connection of its own,
    which costs more than most statements (on PostgreSQL a new server process each time).

    The pool opens connections only as queries need them, up to as many as the most tasks a
    test runs at once, so races run as concurrently as without it."""
    engine = engine_finder()
    if ON_POSTGRES:
        await engine.start_connection_pool(min_size=0, max_size=POOL_SIZE)
        pool = engine.pool
        try:
            yield
        finally:
            # An app whose lifespan ran in this loop closed it on its way out.
            if pool is not None and engine.pool is pool:
                await engine.close_connection_pool()
    else:
        _Tables.connections_expected = 2
        try:
            await engine.open_connections()
        finally:
            _Tables.connections_expected = 0
        try:
            yield
        finally:
            await engine.close_connections()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Only coroutine tests: a plain test's queries run on loops of its own (asyncio.run, the
    # browser tests' threads), and beside Playwright no fixture could run on a loop at all.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or "clean_database" not in names:
            continue
        if inspect.iscoroutinefunction(getattr(item, "obj", None)):
            names.insert(names.index("clean_database") + 1, "shared_connections")
