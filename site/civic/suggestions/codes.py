"""Tracking codes: short, typed easily on a phone, unguessable, no look-alike characters."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0/O, 1/I/L: read aloud over the phone or copied from paper without mistakes."""
LENGTH = 8  # 31**8 ≈ 8.5e11 codes: guessing one is hopeless at a throttled few tries a minute


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(c for c in typed.upper() if c not in "- 　")


def is_well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(c in ALPHABET for c in code)


def shown(code: str) -> str:
    """As printed: two groups of four, XXXX-XXXX."""
    return f"{code[:4]}-{code[4:]}"
