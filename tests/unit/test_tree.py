"""The wish tree: leaf layout (deterministic, no overlaps, inside the picture) and its SVG."""

from __future__ import annotations

import gzip
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from civic.web.templating import make_environment
from civic.wishes.tree import LEAF, MAX_LEAVES, LeafInput, Tree, layout

STATES = ["published", "claimed", "fulfilled", "confirmed"]
LABELS = {"published": "待认领", "claimed": "已认领", "fulfilled": "已实现", "confirmed": "已确认"}
SVG = "{http://www.w3.org/2000/svg}"


def wishes(n: int, title: str = "心愿{}") -> list[LeafInput]:
    return [
        LeafInput(i, title.format(i), STATES[i % 4], f"/c/demo/wishes/{i}/")
        for i in range(1, n + 1)
    ]


def render(tree: Tree) -> str:
    return make_environment().get_template("wishes/_tree.html").render(tree=tree)


def svg_of(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>") + len("</svg>")]


def parse(html: str) -> ET.Element:
    # The tree's markup is well-formed XML too, which lets the tests walk it; the input is
    # our own template's output, so the stdlib parser's entity-expansion risks do not apply.
    xml = svg_of(html).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)
    return ET.fromstring(xml)  # noqa: S314


def test_layout_is_deterministic() -> None:
    assert layout(wishes(60)) == layout(wishes(60))


def test_position_follows_the_order_given() -> None:
    tree = layout(wishes(10))
    assert [leaf.id for leaf in tree.leaves] == list(range(1, 11))
    # Reading order: the first wish hangs highest (then leftmost).
    positions = [(leaf.y, leaf.x) for leaf in tree.leaves]
    assert positions == sorted(positions)


def test_no_wishes_draws_a_bare_tree() -> None:
    tree = layout([])
    assert tree.leaves == []
    assert tree.width > 0 and tree.height > 0


@pytest.mark.parametrize("n", [0, 1, 60, 300])
def test_leaves_never_overlap_and_stay_inside(n: int) -> None:
    tree = layout(wishes(n), limit=n)
    assert len(tree.leaves) == n
    for a, b in itertools.combinations(tree.leaves, 2):
        assert (a.x - b.x) ** 2 + (a.y - b.y) ** 2 >= LEAF**2, (a, b)
    for leaf in tree.leaves:
        assert LEAF // 2 <= leaf.x <= tree.width - LEAF // 2
        assert LEAF // 2 <= leaf.y <= tree.height - LEAF // 2
        assert isinstance(leaf.x, int) and isinstance(leaf.y, int)


def test_leaves_hang_in_the_crown_above_the_trunk() -> None:
    tree = layout(wishes(60))
    lowest = max(leaf.y for leaf in tree.leaves)
    assert lowest + LEAF // 2 <= tree.crown_cy + tree.crown_ry
    assert tree.crown_cy + tree.crown_ry < tree.height  # room left for the trunk


def test_crown_grows_with_the_wishes() -> None:
    heights = [layout(wishes(n), limit=n).height for n in (1, 60, 300)]
    assert heights == sorted(heights) and heights[0] < heights[2]
    assert {t.width for t in (layout(wishes(1)), layout(wishes(300), limit=300))} == {320}


def test_leaf_is_a_finger_sized_target_on_a_small_phone() -> None:
    tree = layout(wishes(1))
    assert LEAF * 360 / tree.width >= 44


def test_each_state_gets_its_label() -> None:
    tree = layout(wishes(8))
    assert {leaf.status: leaf.label for leaf in tree.leaves} == LABELS


def test_one_link_per_leaf_with_its_href_and_title() -> None:
    tree = layout(wishes(12))
    root = parse(render(tree))
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == [leaf.href for leaf in tree.leaves]
    for a, leaf in zip(links, tree.leaves, strict=True):
        assert a.findtext(f"{SVG}title") == f"{leaf.title}（{leaf.label}）"


def test_each_state_has_its_own_shape() -> None:
    root = parse(render(layout(wishes(8))))
    shape = {}
    for a in root.findall(f"{SVG}a"):
        label = a.findtext(f"{SVG}title").rsplit("（", 1)[1].rstrip("）")
        state = {v: k for k, v in LABELS.items()}[label]
        shape.setdefault(state, set()).add(a.find(f"{SVG}use").get("href"))
    assert all(len(hrefs) == 1 for hrefs in shape.values())
    used = {next(iter(hrefs)) for hrefs in shape.values()}
    assert len(used) == 4
    defined = {f"#{g.get('id')}" for g in root.find(f"{SVG}defs")}
    assert used <= defined


def test_summary_counts_the_states() -> None:
    root = parse(render(layout(wishes(8))))
    assert root.get("aria-labelledby") == "tree-title"
    summary = root.findtext(f"{SVG}title")
    assert "8 个心愿" in summary
    for label in LABELS.values():
        assert f"2 个{label}" in summary


def test_legend_is_html_with_shape_and_text() -> None:
    html = render(layout(wishes(4)))
    legend = html[html.index('<ul class="tree-legend">') :]
    for key, label in zip("pcfk", LABELS.values(), strict=True):
        assert re.search(rf'<use href="#leaf-{key}"/></svg>{label}</li>', legend)


def test_resident_titles_are_escaped() -> None:
    tree = layout([LeafInput(1, '<script>alert("x")</script>', "published", "/c/demo/wishes/1/")])
    html = render(tree)
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_empty_tree_renders() -> None:
    root = parse(render(layout([])))
    assert root.findall(f"{SVG}a") == []
    assert "0 个心愿" in root.findtext(f"{SVG}title")


def test_no_inline_style_or_script() -> None:
    html = render(layout(wishes(60)))
    assert "style=" not in html
    assert "<script" not in html


def test_sixty_leaves_are_light() -> None:
    tree = layout(wishes(60))
    svg = svg_of(render(tree)).encode()
    # Titles and hrefs are the callers' text and cost what they cost; the markup around them,
    # which this template controls, stays within budget.
    theirs = sum(len(leaf.title.encode()) + len(leaf.href.encode()) for leaf in tree.leaves)
    assert len(svg) - theirs <= 7_000
    # On the wire, with titles of a realistic length, the whole fragment is a couple of KB.
    realistic = render(layout(wishes(60, title="给独居老人修水龙头{}")))
    assert len(gzip.compress(realistic.encode())) <= 2_500


# A tree of years of wishes ----------------------------------------------------------------

TREE_BUDGET = 20 * 1024  # bench/run.py's TREE: the whole tree page, compressed


def longest_titles(n: int) -> list[LeafInput]:
    """n wishes whose titles are as long as a title may be (30 characters) and never repeat,
    so compression finds nothing to share between leaves."""
    rows = []
    for i in range(1, n + 1):
        title = "".join(chr(0x4E00 + (i * 7919 + k * 104729) % 20000) for k in range(30))
        rows.append(LeafInput(i, title, STATES[i % 4], f"/c/xinghua/wishes/{100000 + i}/"))
    return rows


def test_a_tree_of_3000_wishes_stays_within_its_byte_budget() -> None:
    tree = layout(longest_titles(3000))
    assert len(tree.leaves) == MAX_LEAVES
    html = render(tree)
    # Half the page's budget at most: the page has its header, filters and list besides.
    assert len(gzip.compress(html.encode())) <= TREE_BUDGET // 2
    # The summary speaks of every wish; the rest are one tap away, in the list below.
    summary = parse(html).findtext(f"{SVG}title")
    assert "3000 个心愿" in summary and "750 个待认领" in summary
    assert f'<a class="tap" href="#wish-list">还有 {3000 - MAX_LEAVES} 个心愿</a>' in html


def test_the_leaves_drawn_are_the_wishes_waiting_for_help_first() -> None:
    given = wishes(MAX_LEAVES * 2)  # a quarter published, in every fourth place
    tree = layout(given)
    drawn = [leaf.id for leaf in tree.leaves]
    published = [w.id for w in given if w.status == "published"]
    assert set(published) <= set(drawn)
    assert drawn == sorted(drawn)  # still in the order given
    assert len(drawn) == MAX_LEAVES and tree.not_drawn == MAX_LEAVES


def test_a_tree_that_fits_draws_every_wish_and_offers_no_more() -> None:
    tree = layout(wishes(30))
    assert len(tree.leaves) == 30 and tree.not_drawn == 0
    assert "还有" not in render(tree)


@pytest.mark.parametrize("n", [1, 30, 300, 3000])
def test_layout_computes_a_few_cells_per_leaf(n: int) -> None:
    """Linear: finding the crown costs a few crowns' cells, not one crown per size on the way
    (3000 leaves used to build 820,881 cells, 274 a leaf)."""
    tree = layout(wishes(n), limit=n)
    assert len(tree.leaves) == n
    assert tree.cells_computed <= 6 * n + 200


def test_the_crown_is_the_smallest_that_holds_the_leaves() -> None:
    """The jump to the estimated size finds the same crown as growing half a row at a time."""
    from civic.wishes.tree import STEP, _cells

    for n in (1, 2, 35, 36, 100, 299, 300, 1000):
        tree = layout(wishes(n), limit=n)
        ry = tree.crown_ry
        assert len(_cells(ry)) >= n
        assert ry == 126 or len(_cells(ry - STEP)) < n
