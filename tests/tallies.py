"""Whether the counts the workflow engine keeps (civic/tallies.py) are what the records and
their events say: checked after every test that may have written, so that no route, sweep or
command of any feature moves a record around the engine's count."""

from __future__ import annotations

import math

from civic import features
from civic.tallies import Tallied
from civic.workflow import COUNTED

features.load()  # every feature's workflows declared, the counted ones among them

Counts = dict[int, dict[str, Tallied]]


def _kept(counts: Counts) -> dict[tuple[int, str], Tallied]:
    # A name a record has left holds zeros: the same as no row.
    return {
        (scope, name): t
        for scope, names in counts.items()
        for name, t in names.items()
        if t.n or t.timed or abs(t.days) > 1e-6
    }


def differences(kept: Counts, counted: Counts) -> list[str]:
    """What the tallies say that the records do not, one line each."""
    a, b = _kept(kept), _kept(counted)
    lines = []
    for key in sorted(a.keys() | b.keys()):
        x, y = a.get(key, Tallied()), b.get(key, Tallied())
        if x.n != y.n or x.timed != y.timed or not math.isclose(x.days, y.days, abs_tol=1e-6):
            lines.append(f"{key}: kept {x}, counted {y}")
    return lines


async def mismatches() -> list[str]:
    found = []
    for workflow in COUNTED:
        for line in differences(await workflow.tallies(), await workflow.counted()):
            found.append(f"{workflow.name} {line}")
    return found
