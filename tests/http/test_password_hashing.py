"""A password is checked at the standard argon2id cost, about a third of a second of CPU: the
worker goes on serving everyone else meanwhile."""

from __future__ import annotations

import asyncio
import time

from argon2 import PasswordHasher, profiles

from civic.accounts import passwords
from civic.accounts.tables import Person
from tests import builders
from tests.builders import PASSWORD


async def test_other_requests_are_served_while_a_sign_in_checks_its_password(side_by_side):
    person_id, phone = await builders.person()
    standard = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    # A hash as production makes it: checking it costs the standard price whatever the suite's
    # own parameters, since argon2 reads them from the hash.
    await Person.update({Person.password_hash: standard.hash(PASSWORD)}).where(
        Person.id == person_id
    )
    async with side_by_side() as client:
        token = await builders.csrf_token(client)
        signing_in = asyncio.create_task(
            client.post("/login", data={"phone": phone, "password": PASSWORD, "_csrf_token": token})
        )
        deadline = time.monotonic() + 20
        # Seen from the event loop while the hash is being checked: it is checked elsewhere.
        while passwords.HASHING.now == 0:
            assert not signing_in.done() and time.monotonic() < deadline
            await asyncio.sleep(0.001)
        health = await client.get("/healthz")
        district = await client.get("/")
        assert health.status_code == district.status_code == 200
        assert not signing_in.done()  # both answered while the password was still being checked
        signed_in = await signing_in
    assert signed_in.status_code == 303
    renewed = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    assert renewed is not None and not passwords.needs_rehash(renewed["password_hash"])


async def test_a_burst_of_sign_ins_hashes_two_at_a_time(side_by_side):
    people = [await builders.person() for _ in range(8)]
    passwords.HASHING.reset_peak()
    async with side_by_side() as client:
        token = await builders.csrf_token(client)
        answers = await asyncio.gather(
            *(
                client.post("/login", data={"phone": p, "password": PASSWORD, "_csrf_token": token})
                for _, p in people
            )
        )
    assert [a.status_code for a in answers] == [303] * 8
    assert passwords.HASHING.peak <= passwords.HASHING_AT_ONCE
    assert passwords.HASHING.now == 0
