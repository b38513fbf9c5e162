from __future__ import annotations

from collections.abc import AsyncIterator

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
