"""Where each wish hangs on the wish tree: leaf positions in the crown of an SVG tree.

The picture has a fixed width and grows downwards, so a leaf keeps the same size on a phone
however many wishes there are: WIDTH and PITCH are chosen so that a leaf is about 49 CSS px
when the SVG is drawn 360 px wide (a finger-sized target). Leaves sit on a hexagonal grid whose
neighbouring centres are at least PITCH apart; each leaf shape fits in a circle of diameter
LEAF, smaller than PITCH, so leaves never overlap."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from civic.wishes.workflow import STATUS_LABELS

WIDTH = 320
PITCH = 48  # horizontal distance between neighbours in a row
ROW = 42  # vertical distance between rows: neighbours in adjacent rows are √(24²+42²) ≈ 48 apart
LEAF = 44  # diameter of the circle every leaf shape (and its tap area) fits in
CX = WIDTH // 2
RX = 150  # the crown's horizontal radius: nearly the full width, at any size
TOP = 8  # room above the crown for a focus ring
MIN_RY = 126  # a crown never smaller than this, so a tree with one wish still looks like a tree
INSET = 20  # leaf centres stay this far inside the crown's edge so leaves sit in the foliage
TRUNK = 96  # height of the trunk below the crown, ground included
STEP = ROW // 2  # the crown grows half a row at a time: only as much as the wishes need
MAX_LEAVES = 120
"""The most leaves drawn: a tree of thousands of wishes would be metres tall on a phone and
over the page's byte budget. The others are in the list below the tree, one tap away."""
# Which wishes keep a leaf when there are too many: those still waiting for a helper first.
PRIORITY = {"published": 0, "claimed": 1, "fulfilled": 2, "confirmed": 3}


@dataclass(frozen=True)
class LeafInput:
    id: int
    title: str
    status: str  # "published" | "claimed" | "fulfilled" | "confirmed"
    href: str


@dataclass(frozen=True)
class Leaf:
    id: int
    title: str
    status: str
    href: str
    x: int  # centre, in viewBox units
    y: int
    label: str


@dataclass(frozen=True)
class Tree:
    width: int
    height: int
    leaves: list[Leaf]
    total: int = 0
    """Every wish given, drawn or not."""
    states: dict[str, int] = field(default_factory=dict)
    """Every wish given, by state: the summary speaks of the whole tree, not the leaves drawn."""
    cells_computed: int = field(default=0, compare=False, repr=False)
    """The grid cells the layout examined: linear in the leaves drawn (tests/unit/test_tree.py)."""

    @property
    def not_drawn(self) -> int:
        return self.total - len(self.leaves)

    @property
    def crown_cy(self) -> int:
        """The crown's centre, for the template: the crown fills the height above the trunk."""
        return TOP + self.crown_ry

    @property
    def crown_ry(self) -> int:
        return (self.height - TOP - TRUNK) // 2


def _cells(ry: int) -> list[tuple[int, int, float]]:
    """Grid cells inside a crown of vertical radius ry: (x, y) relative to the crown's centre,
    and how far from the centre each is (elliptical distance), to fill the middle first.

    The crown is a capsule: an ellipse while it is no taller than wide, then two half-circles
    joined by straight sides, so a crown for hundreds of wishes wastes no rows on tapering ends."""
    a = RX - INSET
    b = min(ry, RX) - INSET
    straight = max(0, ry - RX)
    reach = ry - INSET
    cells = []
    rows = reach // ROW
    for k in range(-rows, rows + 1):
        dy = k * ROW
        offset = (k % 2) * (PITCH // 2)  # odd rows shifted by half a pitch: a hexagonal grid
        ey = max(0, abs(dy) - straight)
        for j in range(-(a // PITCH) - 1, a // PITCH + 2):
            dx = j * PITCH + offset
            if abs(dx) + LEAF // 2 > CX:  # keep every leaf wholly inside the viewBox
                continue
            if (dx / a) ** 2 + (ey / b) ** 2 <= 1:
                cells.append((dx, dy, (dx / a) ** 2 + (dy / reach) ** 2))
    return cells


def _row_cells(offset: int) -> int:
    a = RX - INSET
    return sum(
        1
        for j in range(-(a // PITCH) - 1, a // PITCH + 2)
        if abs(j * PITCH + offset) <= a and abs(j * PITCH + offset) + LEAF // 2 <= CX
    )


# Once the crown is a capsule, a step adds one row to its straight middle: rows alternate
# between the two offsets of the hexagonal grid.
CELLS_PER_STEP = (_row_cells(0) + _row_cells(PITCH // 2)) / 2


def _on_grid(ry: float) -> int:
    return MIN_RY + max(0, round((ry - MIN_RY) / STEP)) * STEP


def _crown(n: int) -> tuple[int, list[tuple[int, int, float]], int]:
    """The smallest crown (MIN_RY plus whole steps) with at least n cells, its cells, and how
    many cells were computed to find it. Growing from MIN_RY a step at a time would build the
    cells of every smaller crown on the way (quadratic in n); instead the search jumps to the
    size the straight middle's rows give, then walks a step or two. A crown's cells only grow
    with its size, so it finds the same crown."""
    computed = 0

    def cells_of(ry: int) -> list[tuple[int, int, float]]:
        nonlocal computed
        cells = _cells(ry)
        computed += len(cells)
        return cells

    ry = MIN_RY
    cells = cells_of(ry)
    if len(cells) < n:
        ry = _on_grid(max(ry, RX) + (n - len(cells)) / CELLS_PER_STEP * STEP)
        cells = cells_of(ry)
        ry = _on_grid(ry + (n - len(cells)) / CELLS_PER_STEP * STEP)
        cells = cells_of(ry)
    while len(cells) < n:
        ry += STEP
        cells = cells_of(ry)
    while ry > MIN_RY:
        smaller = cells_of(ry - STEP)
        if len(smaller) < n:
            break
        ry, cells = ry - STEP, smaller
    return ry, cells, computed


def _drawn(wishes: list[LeafInput], limit: int) -> list[LeafInput]:
    """At most `limit` wishes, those waiting for a helper first, kept in the order given."""
    if len(wishes) <= limit:
        return wishes
    ranked = sorted(range(len(wishes)), key=lambda i: (PRIORITY.get(wishes[i].status, 9), i))
    return [wishes[i] for i in sorted(ranked[:limit])]


def layout(wishes: list[LeafInput], limit: int = MAX_LEAVES) -> Tree:
    """Place the wishes, in the order given, on the leaves of a tree just big enough for them;
    at most `limit` of them (those still waiting for a helper first)."""
    shown = _drawn(wishes, limit)
    ry, cells, computed = _crown(len(shown))
    # The most central cells, so a half-empty crown looks full in the middle, not ragged;
    # ties broken by position so the result never depends on anything but the input.
    chosen = sorted(cells, key=lambda c: (c[2], c[1], c[0]))[: len(wishes)]
    # Then read them top to bottom, left to right: the first wish hangs at the top.
    chosen.sort(key=lambda c: (c[1], c[0]))
    cy = TOP + ry
    leaves = [
        Leaf(
            id=w.id,
            title=w.title,
            status=w.status,
            href=w.href,
            x=CX + dx,
            y=cy + dy,
            label=STATUS_LABELS.get(w.status, w.status),
        )
        for w, (dx, dy, _) in zip(shown, chosen, strict=False)
    ]
    return Tree(
        width=WIDTH,
        height=TOP + 2 * ry + TRUNK,
        leaves=leaves,
        total=len(wishes),
        states=dict(Counter(w.status for w in wishes)),
        cells_computed=computed,
    )
