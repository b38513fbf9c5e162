"""Password hashing with argon2id; hashes are renewed when the parameters change."""

from __future__ import annotations

import os
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# CIVIC_PASSWORD_COST=low is for the test suite only: the same argon2id code, cheap parameters,
# so that a test making many accounts does not spend seconds hashing. Hashes made with it are
# renewed to the standard parameters at the next sign-in on a normal deployment.
_COST = os.environ.get("CIVIC_PASSWORD_COST", "standard")
hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if _COST == "low"
    else PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
)


def hash_password(password: str) -> str:
    return hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return hasher.hash("no account has this password")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing reveals nothing."""
    try:
        return hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher.check_needs_rehash(stored_hash)
