"""The few rows the topology test needs, written into the database CIVIC_DATABASE_URL names
(run as `python -m tests.topology.seed` with it set): a community and two residents. Prints
what the test needs to know as JSON."""

from __future__ import annotations

import asyncio
import json

from civic.accounts.roles import Role
from tests import builders


async def seed() -> dict[str, str]:
    community = await builders.community(slug="xinghua", name="杏花社区")
    _, signs_in = await builders.person((Role.RESIDENT, community.id), name="周建国")
    _, forgets = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    return {"slug": community.slug, "signs_in": signs_in, "forgets": forgets}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed())))
