"""What a feature lists on /me: the one shape every feature's `me_items` returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeItem:
    """One of my things: what it is, where it is, and what it needs from me now."""

    text: str
    link: str
    next_step: str
