"""Password hashing with argon2id; hashes are renewed when the parameters change.

A hash at the standard cost takes about a third of a second of CPU and 64 MB: on the event
loop, every sign-in would stall every other request of the worker for that long. So hashing and
verifying run in a pool of their own, which also bounds the memory a burst of sign-ins takes."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from civic.web.gauge import Gauge

# CIVIC_PASSWORD_COST=low is for the test suite only: the same argon2id code, cheap parameters,
# so that a test making many accounts does not spend seconds hashing. Hashes made with it are
# renewed to the standard parameters at the next sign-in on a normal deployment.
_COST = os.environ.get("CIVIC_PASSWORD_COST", "standard")
hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if _COST == "low"
    else PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
)

HASHING_AT_ONCE = 2
"""Hashes computed at the same time in one worker: argon2 releases the GIL, so two keep a
burst of sign-ins moving while holding at most 2 × 64 MB; the rest wait their turn."""
HASHING = Gauge()
"""Hashes being computed or verified in this worker now."""
_hashers = ThreadPoolExecutor(max_workers=HASHING_AT_ONCE, thread_name_prefix="argon2")


def _hash(password: str) -> str:
    with HASHING.held():
        return hasher.hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_hashers, _hash, password)


@cache
def _dummy_hash() -> str:
    return hasher.hash("no account has this password")


def _verify(stored_hash: str | None, password: str) -> bool:
    with HASHING.held():
        try:
            checked = hasher.verify(stored_hash or _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return False
        return checked and stored_hash is not None


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing reveals nothing."""
    return await asyncio.get_running_loop().run_in_executor(
        _hashers, _verify, stored_hash, password
    )


def needs_rehash(stored_hash: str) -> bool:
    """Reads the parameters written in the hash: no hashing, so it stays on the loop."""
    return hasher.check_needs_rehash(stored_hash)
