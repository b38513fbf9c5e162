"""The `civic` command: serve, migrate, demo data, accounts, backup and restore, fonts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from civic.settings import Settings


def _settings() -> Settings:
    return Settings.from_env()


async def _applied() -> dict[str, int]:
    """How many migrations each app has recorded as run."""
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists().run():
        return {}
    rows = await Migration.select(Migration.app_name)
    counted: dict[str, int] = {}
    for r in rows:
        counted[r["app_name"]] = counted.get(r["app_name"], 0) + 1
    return counted


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    settings = _settings()
    if settings.database.is_sqlite:
        from civic.db import sqlite_path

        path = sqlite_path(settings.database.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as db:
            # Readers never wait for the writer; several workers can share the file.
            db.execute("PRAGMA journal_mode=WAL")
    before = await _applied()
    # Piccolo's own log counts the migrations still to run as "already complete" too; it is
    # kept for a failure, and otherwise one line says what was done.
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        result = await run_forwards("all")
    if not result.success:
        print(log.getvalue(), flush=True)
        raise SystemExit(f"migration failed: {result.message}")
    after = await _applied()
    ran = {app: n - before.get(app, 0) for app, n in after.items() if n > before.get(app, 0)}
    if ran:
        done = ", ".join(f"{app} {n}" for app, n in ran.items())
        print(f"数据库已更新：执行了 {sum(ran.values())} 个迁移（{done}）。", flush=True)
    else:
        print("数据库已是最新，没有要执行的迁移。", flush=True)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    # Without a public address set, QR codes point at the address being served.
    os.environ.setdefault("CIVIC_BASE_URL", f"http://{args.host}:{args.port}")
    settings = _settings()
    if args.migrate:
        asyncio.run(migrate())
    print(f"掌上社区 serving on http://{args.host}:{args.port} ({settings.base_url})", flush=True)
    uvicorn.run(
        "civic.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        # The site reads X-Forwarded-For itself, from CIVIC_TRUSTED_PROXIES only
        # (web/client.py): uvicorn's own handling would let anything on this machine
        # claim any address.
        proxy_headers=False,
        log_level="info" if settings.debug else "warning",
        access_log=settings.debug,
    )


def cmd_migrate(_args: argparse.Namespace) -> None:
    asyncio.run(migrate())


def cmd_demo(args: argparse.Namespace) -> None:
    from civic import demo

    def say(line: str) -> None:
        print(line, flush=True)

    async def load() -> list[str]:
        if not args.quiet:
            say("载入演示数据（约一两分钟）：")
        await demo.load(None if args.quiet else say)
        return await demo.more_account_lines()

    more = asyncio.run(load())
    if not args.quiet:
        print(f"演示数据已载入。演示账号（密码都是 {demo.DEMO_PASSWORD}）：")
        print("\n".join(demo.account_lines()))
        print("各项服务的演示数据另建的账号（密码相同）：")
        print("\n".join(more))


def cmd_user_add(args: argparse.Namespace) -> None:
    from civic.accounts import service
    from civic.accounts.roles import Role, Scope
    from civic.places.tables import Community, Department, Street

    password = args.password or getpass.getpass("密码（至少 8 位）：")

    async def add() -> None:
        phone = service.normalise_phone(args.phone)
        person_id = await service.person_id_by_phone(phone)
        if person_id is None:
            person_id = await service.create_person(phone, args.name, password)
            print(f"已建账号 {phone} {args.name}")
        if args.role:
            role = Role(args.role)
            scope_id = 0
            if role.scope is not Scope.DISTRICT:
                if role.scope is Scope.MERCHANT:
                    scope_id = int(args.place)
                else:
                    tables: dict[Scope, type[Community | Street | Department]] = {
                        Scope.COMMUNITY: Community,
                        Scope.STREET: Street,
                        Scope.DEPARTMENT: Department,
                    }
                    table = tables[role.scope]
                    row = await table.select(table.id).where(table.slug == args.place).first()
                    if row is None:
                        raise SystemExit(f"没有这个地方：{args.place}")
                    scope_id = row["id"]
            await service.grant(person_id, role, scope_id)
            print(f"已给 {phone} 分配角色 {role.label}")

    asyncio.run(add())


def cmd_sweep(_args: argparse.Namespace) -> None:
    from civic.sweeps import sweep_all
    from civic.web.clock import Clock

    for line in asyncio.run(sweep_all(Clock().now(), _settings())):
        print(line)


def cmd_backup(args: argparse.Namespace) -> None:
    settings = _settings()
    target = Path(args.file)
    if settings.database.is_sqlite:
        from civic.db import sqlite_path

        with (
            sqlite3.connect(sqlite_path(settings.database.url)) as source,
            sqlite3.connect(target) as dest,
        ):
            source.backup(dest)
    else:
        subprocess.run(  # noqa: S603 (our own arguments: a PostgreSQL tool, a URL, a path)
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                "--dbname",
                settings.database.url,
            ],
            check=True,
        )
    print(f"已备份到 {target}")


SQLITE_HEADER = b"SQLite format 3\x00"
SITE_TABLES = ("migration", "person")
"""Tables every database the site migrated holds, and so every backup of one."""


def _not_a_backup(source: Path) -> SystemExit:
    return SystemExit(f"{source} 不是 civic backup 做的备份文件，数据库没有改动。")


def _check_sqlite_backup(source: Path) -> None:
    """Refuses, before the database is touched, a file that is not an SQLite database holding
    the site's tables (a PDF, a dump of another program, a truncated copy)."""
    try:
        with source.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            whole = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except (OSError, sqlite3.DatabaseError):
        raise _not_a_backup(source) from None
    if header != SQLITE_HEADER or not tables.issuperset(SITE_TABLES) or not whole:
        raise _not_a_backup(source)


def _check_pg_backup(source: Path) -> None:
    """Refuses a file pg_restore cannot read, or one without the site's tables."""
    listing = subprocess.run(  # noqa: S603 (our own arguments: a PostgreSQL tool, a path)
        [_pg_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True
    )
    listed = set(re.findall(r"\bTABLE \S+ (\w+)", listing.stdout))
    if listing.returncode != 0 or not listed.issuperset(SITE_TABLES):
        raise _not_a_backup(source)


def cmd_restore(args: argparse.Namespace) -> None:
    settings = _settings()
    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"没有这个文件：{source}")
    if settings.database.is_sqlite:
        from civic.db import sqlite_path

        _check_sqlite_backup(source)
        try:
            with (
                closing(sqlite3.connect(source)) as src,
                closing(sqlite3.connect(sqlite_path(settings.database.url))) as dest,
            ):
                src.backup(dest)
        except sqlite3.DatabaseError as exc:
            raise SystemExit(f"恢复没有完成（{exc}），数据库没有改动。") from None
    else:
        _check_pg_backup(source)
        restored = subprocess.run(  # noqa: S603 (our own arguments: a PostgreSQL tool, a URL, a path)
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                # All or nothing: a restore that fails half-way leaves the database as it was.
                "--single-transaction",
                "--dbname",
                settings.database.url,
                str(source),
            ],
            capture_output=True,
            text=True,
        )
        if restored.returncode != 0:
            reason = (restored.stderr.strip().splitlines() or ["pg_restore"])[-1]
            raise SystemExit(f"恢复没有完成（{reason}），数据库没有改动。")
    print(f"已从 {source} 恢复")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15"):
        path = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if path.exists():
            return str(path)
    raise SystemExit(f"{name} is missing: install postgresql-client")


def cmd_fonts(args: argparse.Namespace) -> None:
    from civic.notices import fonts

    if fonts.SUBSET.exists() and not args.force:
        return
    source = next((p for p in fonts.SYSTEM_FONTS if p.exists()), None)
    if source is None:
        raise SystemExit("no CJK font found: install fonts-noto-cjk")
    number = 2 if source.suffix == ".ttc" and "Noto" in source.name else 0  # 2: Simplified Chinese
    fonts.make_subset(source, fonts.SUBSET, font_number=number)
    print(f"PDF font ready: {fonts.SUBSET} ({fonts.SUBSET.stat().st_size // 1024} KB)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="civic", description="掌上社区: run and look after the site.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the site", description="Serve the site over HTTP.")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", 8000)),
        help="port to listen on (default: $PORT or 8000)",
    )
    s.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    s.add_argument("--migrate", action="store_true", help="bring the database up to date first")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser(
        "migrate",
        help="bring the database up to date",
        description="Create or update the tables (safe to run any time).",
    )
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser(
        "demo",
        help="load the demo district",
        description="Load the demo district and its accounts. Running it again adds nothing twice.",
    )
    s.add_argument("--quiet", action="store_true", help="do not list the demo accounts")
    s.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    s = user.add_parser(
        "add",
        help="add an account, or a role to an existing one",
        description="Add an account (asks for the password when not given), "
        "and optionally give it a role in a place.",
    )
    s.add_argument("--phone", required=True, help="11-digit mobile number")
    s.add_argument("--name", required=True, help="real name")
    s.add_argument("--password", help="initial password (asked for when left out)")
    s.add_argument(
        "--role",
        help="resident, party_member, building_leader, grid_worker, "
        "community_staff, street_official, department_staff, merchant_staff, "
        "district_admin",
    )
    s.add_argument(
        "--place",
        default="",
        help="slug of the community, street or department "
        "(merchant: its number; not needed for district_admin)",
    )
    s.set_defaults(func=cmd_user_add)

    s = sub.add_parser(
        "sweep",
        help="apply the clocks of every feature (expired claims, unrated cases, …)",
        description="Do what the clocks say is due (pages do it too when someone looks). "
        "Safe to run from cron at any interval.",
    )
    s.set_defaults(func=cmd_sweep)

    s = sub.add_parser(
        "backup",
        help="copy the whole database into a file",
        description="Copy the database into FILE while the site keeps running "
        "(SQLite's online backup, or pg_dump for PostgreSQL).",
    )
    s.add_argument("file")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser(
        "restore",
        help="replace the database with a backup file",
        description="Replace the database's contents with FILE made by "
        "`civic backup`. Stop the site first.",
    )
    s.add_argument("file")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser(
        "fonts",
        help="prepare the font embedded in PDF notices",
        description="Subset the system's Noto Sans CJK to GB 2312 under var/fonts "
        "so PDF notices stay small.",
    )
    s.add_argument("--force", action="store_true", help="make it again even if it exists")
    s.set_defaults(func=cmd_fonts)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
