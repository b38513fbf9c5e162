"""Test set-up: a database of the run's own, migrated once, emptied before every test.

The suite runs on SQLite by default; `make test-postgres` runs it again with
CIVIC_DATABASE_URL pointing at a throwaway PostgreSQL cluster."""

from __future__ import annotations

import asyncio
import os
import tempfile

# Before civic is imported: the engine is chosen from these.
if not os.environ.get("CIVIC_DATABASE_URL"):
    os.environ["CIVIC_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/test.sqlite3"
os.environ.setdefault("CIVIC_SECRET_KEY", "a-test-secret-key-that-is-long-enough-0123456789")
os.environ["CIVIC_DB_POOL_SIZE"] = "0"  # each test runs in its own event loop
os.environ["CIVIC_COUNT_QUERIES"] = "true"
os.environ.setdefault("CIVIC_PASSWORD_COST", "low")  # cheap argon2id parameters, same code

import pytest
from piccolo.engine import engine_finder
from piccolo.table import sort_table_classes

from civic.cli import migrate
from civic.piccolo_conf import APP_REGISTRY

ON_POSTGRES = os.environ["CIVIC_DATABASE_URL"].startswith("postgres")


@pytest.fixture(scope="session")
def database() -> None:
    asyncio.run(migrate())


async def empty_all_tables() -> None:
    tables = sort_table_classes(
        [t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes]
    )
    if ON_POSTGRES:
        # Quoted: "case" is a reserved word in PostgreSQL.
        names = ", ".join(f'"{t._meta.tablename}"' for t in tables)
        await engine_finder().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in reversed(tables):
            await table.delete(force=True)


@pytest.fixture(autouse=True)
def clean_database(database: None) -> None:
    asyncio.run(empty_all_tables())
