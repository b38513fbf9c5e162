"""The wish's states and who may move it from one to the next: one table, read by the service
and by the templates that decide which button to show."""

from __future__ import annotations

from enum import StrEnum

from civic.wishes.tables import Wish

S = Wish.Status


class Party(StrEnum):
    """How the person acting stands to the wish."""

    STAFF = "staff"  # community staff of the wish's community
    OWNER = "owner"  # the beneficiary, or whoever posted it for them
    HELPER = "helper"  # a verified party member or organisation of the community
    CLAIMER = "claimer"  # the helper holding the claim
    BENEFICIARY = "beneficiary"
    CLOCK = "clock"  # the claim's deadline passed
    REVOCATION = "revocation"  # staff revoked the claimer's verification


TRANSITIONS: dict[tuple[S, S], frozenset[Party]] = {
    (S.SUBMITTED, S.PUBLISHED): frozenset({Party.STAFF}),
    (S.SUBMITTED, S.RETURNED): frozenset({Party.STAFF}),
    (S.SUBMITTED, S.REJECTED): frozenset({Party.STAFF}),
    (S.RETURNED, S.SUBMITTED): frozenset({Party.OWNER, Party.STAFF}),
    (S.PUBLISHED, S.CLAIMED): frozenset({Party.HELPER}),
    (S.CLAIMED, S.PUBLISHED): frozenset({Party.CLAIMER, Party.CLOCK, Party.REVOCATION}),
    (S.CLAIMED, S.FULFILLED): frozenset({Party.CLAIMER}),
    (S.FULFILLED, S.CONFIRMED): frozenset({Party.BENEFICIARY, Party.STAFF}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({Party.OWNER, Party.STAFF}),
    (S.RETURNED, S.WITHDRAWN): frozenset({Party.OWNER, Party.STAFF}),
    (S.PUBLISHED, S.WITHDRAWN): frozenset({Party.OWNER, Party.STAFF}),
}

# The timestamp each state sets when a wish enters it.
STAMPS = {
    S.PUBLISHED: Wish.published_at,
    S.CLAIMED: Wish.claimed_at,
    S.FULFILLED: Wish.fulfilled_at,
    S.CONFIRMED: Wish.confirmed_at,
}

ON_TREE = (S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED)
"""States shown as leaves on the public tree, in the order a wish passes through them."""

STATUS_LABELS = {
    S.SUBMITTED: "待审核",
    S.RETURNED: "退回修改",
    S.PUBLISHED: "待认领",
    S.CLAIMED: "已认领",
    S.FULFILLED: "已实现",
    S.CONFIRMED: "已确认",
    S.REJECTED: "未通过",
    S.WITHDRAWN: "已撤回",
}


def allowed(current: S, target: S, parties: set[Party]) -> bool:
    return bool(TRANSITIONS.get((current, target), frozenset()) & parties)


def visible(current: S, parties: set[Party]) -> bool:
    """Who may see a wish (its page and its photos): everyone once it is on the tree; before
    that, and after a refusal or withdrawal, its owner and the community's staff."""
    return current in ON_TREE or bool(parties & {Party.STAFF, Party.OWNER})
