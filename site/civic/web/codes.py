"""Codes people type from paper or read over the phone: tracking codes today, one-time
counter codes tomorrow. Short, unguessable, no look-alike characters."""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0/O, 1/I/L: read aloud over the phone or copied from paper without mistakes."""
LENGTH = 8  # 31**8 ≈ 8.5e11 codes: guessing one is hopeless at a throttled few tries a minute


def new_code(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """What a person typed, as stored: full-width characters (a Chinese keyboard's: ＡＢＣ２３,
    the ideographic space) made half-width, upper case, without spaces or dashes of any kind
    (a Chinese keyboard types －, — or ―, a phone's autocorrect ‐ or –)."""
    return "".join(
        c
        for c in unicodedata.normalize("NFKC", typed).upper()
        if not c.isspace() and unicodedata.category(c) != "Pd"
    )


def is_well_formed(code: str, length: int = LENGTH) -> bool:
    return len(code) == length and all(c in ALPHABET for c in code)


def shown(code: str) -> str:
    """As printed: two groups, XXXX-XXXX."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
