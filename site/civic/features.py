"""The registry: which features the site has, and what each one brings.

A feature is a folder `civic/<name>/` with a `feature.py` that declares one `Feature`: its
controllers, its entry on a community's home, its section on /me, its sweep and its demo
part. Its Piccolo app is `civic/<name>/piccolo_app.py`. `app.py`, `piccolo_conf.py`,
`cli.py` (sweep) and `demo.py` read this list; nothing else names a feature. Adding one is a
line in FEATURES plus its folder (the README has the checklist).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from civic.accounts.me import MeItem

CORE = ("civic.web", "civic.places", "civic.accounts", "civic.photos", "civic.messages")
"""What every feature stands on, in the order their tables depend on each other."""

FEATURES = (
    "civic.wishes",
    "civic.suggestions",
    "civic.hall",
)
"""The features, in the order they appear on a community's home and on /me."""


class CommunityEntry(NamedTuple):
    """A feature's link on a community's home: /c/<slug>/<path>."""

    label: str
    path: str


class MeSection(NamedTuple):
    """What a feature lists on /me: a title and the items of a person (by id)."""

    title: str
    items: Callable[[int], Awaitable[list[MeItem]]]


@dataclass(frozen=True)
class Feature:
    name: str
    controllers: Sequence[Any]
    """Litestar controllers (or route handlers) the app mounts."""
    entry: CommunityEntry | None = None
    me: MeSection | None = None
    sweep: Callable[[datetime, Any], Awaitable[str]] | None = None
    """Applies the feature's clocks (given now and the settings); returns a line for the log."""
    demo: Callable[[], Awaitable[None]] | None = None
    """Adds the feature's part of the demo district; loading it twice adds nothing twice."""


def piccolo_apps() -> list[str]:
    """Every Piccolo app of the site, for piccolo_conf.py (imports no feature code)."""
    return [f"{package}.piccolo_app" for package in (*CORE, *FEATURES)]


def load() -> list[Feature]:
    """Each feature's declaration, in the order of FEATURES."""
    return [importlib.import_module(f"{package}.feature").FEATURE for package in FEATURES]
