from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from civic.app import create_app
from civic.settings import Settings


@pytest.fixture
def app() -> Litestar:
    return create_app(Settings.from_env())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        client.follow_redirects = False  # a test sees each 303 and where it points
        yield client


Clients = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def side_by_side(app: Litestar) -> Clients:
    """`async with side_by_side(address) as client`: a client whose requests run in the test's
    own event loop, side by side, from `address` (10.0.0.1 unless told): the test client
    above carries each request to its end before the next one can start. Entered in the test
    itself: the app's lifespan must end in the task it began in."""

    @asynccontextmanager
    async def clients(address: str = "10.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client,
        ):
            yield client

    return clients
