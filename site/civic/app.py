"""create_app(settings): the only place that wires the features together."""

from __future__ import annotations

import asyncio
import contextlib

from litestar import Litestar, Request, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.types import Scope
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from civic import features
from civic.accounts.admin_routes import AdminController
from civic.accounts.routes import AccountController
from civic.accounts.staff_routes import StaffController
from civic.accounts.throttle import LoginThrottle
from civic.accounts.viewer import current_viewer, provide_viewer, provide_visitor
from civic.db import CountingPostgresEngine, CountingSQLiteEngine, keep_session
from civic.kept import Kept, data_version, kept_middleware
from civic.messages.routes import MessageController
from civic.photos.web import SKIP_COMPRESSION
from civic.places.household_routes import HouseholdController
from civic.places.routes import PlaceController
from civic.places.tables import District
from civic.settings import Settings
from civic.sweeps import sweep_every
from civic.web.clock import Clock
from civic.web.conditional import conditional_get_middleware
from civic.web.csrf import LazyCSRFMiddleware
from civic.web.errors import EXCEPTION_HANDLERS
from civic.web.inputs import refuse_control_characters
from civic.web.page_cache import Entry, PageCache, page_cache_middleware
from civic.web.security import add_security_headers, query_count_middleware
from civic.web.sessions import LazySessionConfig
from civic.web.shared_views import SharedViews
from civic.web.static import serve_static
from civic.web.stores import make_store
from civic.web.templating import template_config


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    await District.count()
    return {"status": "ok"}


async def _load_viewer(request: Request) -> None:
    await current_viewer(request)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    declared = features.load()
    secure = settings.security.secure_cookies
    throttle = LoginThrottle(
        store=make_store(settings.store_url, "throttle"),
        max_per_phone=settings.security.login_max_failures,
        max_per_address=settings.security.login_max_failures_per_address,
        window_seconds=settings.security.login_window_seconds,
    )
    engine = engine_finder()
    clock = clock or Clock()

    sweeping: list[asyncio.Task[None]] = []

    async def start_up() -> None:
        if settings.sweep_seconds:
            sweeping.append(
                asyncio.create_task(sweep_every(settings.sweep_seconds, settings, clock))
            )
        if kept_here:
            kept_here.clear()  # a new reader or pool: its versions say nothing of the old ones
        if isinstance(engine, CountingSQLiteEngine):
            await engine.open_connections()
        if isinstance(engine, PostgresEngine) and settings.database.pool_size:
            size = settings.database.pool_size
            await engine.start_connection_pool(
                min_size=min(2, size), max_size=size, reset=keep_session
            )

    async def shut_down() -> None:
        while sweeping:
            task = sweeping.pop()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if isinstance(engine, CountingSQLiteEngine):
            await engine.close_connections()
        if isinstance(engine, PostgresEngine) and engine.pool:
            await engine.close_connection_pool()

    versioned = (
        engine if isinstance(engine, CountingSQLiteEngine | CountingPostgresEngine) else None
    )

    kept_here = Kept(versioned) if settings.page_cache_mb and versioned else None

    async def stamp(_scope: Scope) -> tuple[str, int] | None:
        version = await data_version()
        return None if version is None else (version, int(clock.now().timestamp()) // 60)

    middleware = [
        DefineMiddleware(conditional_get_middleware),
        DefineMiddleware(refuse_control_characters),
    ]
    shared_views = None
    if settings.page_cache_mb and versioned:
        cache: PageCache[Entry] = PageCache(settings.page_cache_mb * 1024 * 1024)
        middleware.append(DefineMiddleware(page_cache_middleware(cache, stamp)))
        shared_views = SharedViews(PageCache(settings.page_cache_mb * 1024 * 1024), stamp)
    middleware += [
        LazySessionConfig(
            store="sessions",
            key="session",
            max_age=settings.security.session_days * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=secure,
            renew_on_access=False,
        ).middleware,
        DefineMiddleware(
            LazyCSRFMiddleware,
            config=CSRFConfig(
                secret=settings.security.secret_key,
                cookie_secure=secure,
                cookie_httponly=True,
                cookie_samesite="lax",
            ),
        ),
    ]
    if kept_here:
        middleware.insert(0, DefineMiddleware(kept_middleware(kept_here)))
    if settings.count_queries:
        middleware.insert(0, DefineMiddleware(query_count_middleware))

    return Litestar(
        route_handlers=[
            PlaceController,
            HouseholdController,
            AccountController,
            StaffController,
            AdminController,
            MessageController,
            *(c for f in declared for c in f.controllers),
            healthz,
            serve_static,
        ],
        request_class=HTMXRequest,
        plugins=[HTMXPlugin()],
        middleware=middleware,
        stores={
            "sessions": make_store(settings.store_url, "sessions"),
            "rate_limit": make_store(settings.store_url, "rate_limit"),
            "quota": make_store(settings.store_url, "quota"),
        },
        # Pages are compressed on every request: quality 3 with a 256 KB window costs about a
        # third of Litestar's default (5, 4 MB) for a page about a sixth larger. Static files
        # are compressed once, at the best quality, by their own route (web/static.py).
        compression_config=CompressionConfig(
            backend="brotli",
            brotli_quality=3,
            brotli_lgwin=18,
            gzip_compress_level=5,
            brotli_gzip_fallback=True,
            minimum_size=400,
            exclude_opt_key=SKIP_COMPRESSION,
        ),
        template_config=template_config(),
        dependencies={
            "throttle": Provide(lambda: throttle, sync_to_thread=False),
            # Behind a sign-in guard a handler asks for `viewer: Viewer`; a public one for
            # `visitor: Viewer | None`. Both are the person loaded once per request.
            "viewer": Provide(provide_viewer),
            "visitor": Provide(provide_visitor),
        },
        before_request=_load_viewer,
        before_send=[add_security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start_up],
        on_shutdown=[shut_down],
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "shared_views": shared_views,
                # A feature's entry and /me section, so accounts and places name no feature.
                "community_entries": [f.entry for f in declared if f.entry],
                "me_sections": [f.me for f in declared if f.me],
            }
        ),
        request_max_body_size=4 * 1024 * 1024,
        debug=settings.debug,
        openapi_config=None,
    )
