"""Password hashing with argon2id; hashes are renewed when the parameters change."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

hasher = PasswordHasher()


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
