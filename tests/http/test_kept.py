"""What a worker keeps between requests while the data holds still (civic/kept.py) is never
more than a fresh read would give: a session still ends when it expires, though nothing was
written since it was kept. (A change written anywhere shows on the very next page:
test_processes.py across two real workers, test_shared_views.py for a person's messages.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from civic.accounts.roles import Role
from civic.web.tables import StoreEntry
from tests import builders
from tests.builders import sign_in, text_of


async def test_a_kept_session_still_ends_when_it_expires(client):
    c = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, c.id))
    await sign_in(client, phone)
    soon = datetime.now(UTC) + timedelta(seconds=2)
    await StoreEntry.update({StoreEntry.expires_at: soon}).where(StoreEntry.key.like("%sessions:%"))
    home = f"/c/{c.slug}/"
    for _ in range(2):  # read, then kept; then served from what was kept
        assert "消息 我的" in text_of((await client.get(home)).text)
    await asyncio.sleep((soon - datetime.now(UTC)).total_seconds() + 0.2)
    after = text_of((await client.get(home)).text)
    assert "我的" not in after and "登录" in after
