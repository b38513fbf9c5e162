"""What each 微心愿 form may hold, declared once per form and applied by Form.read: each text
as long as its column (or the rule) allows, names and titles cleaned, numbers bounded."""

from __future__ import annotations

from typing import Annotated

from civic.web.forms import name, number, text
from civic.web.inputs import one_of
from civic.wishes import service
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import ON_TREE, WISHES

TreeState = Annotated[str, one_of(s.value for s in ON_TREE)]
Category = Annotated[str, one_of(c.value for c in Wish.Category)]
"""The tree's filters: a state on the tree, a category; empty for all."""
Confirmable = Annotated[str, one_of(m.name for m in WISHES.moves.values() if m.confirm)]
"""A step a wish's page asks about once more (?step=release)."""

WISH = {
    "title": name(Wish.title),
    "description": text(service.MAX_DESCRIPTION),
    "category": text(Wish.category),
    "value_yuan": number(0, service.HIGHEST_VALUE_CAP),
    "for_phone": text(30),
}
MOVE = {
    **WISH,
    "to": text(20),
    "step": text(20),
    "note": text(service.MAX_NOTE),
    "drop_photo": text(1),
}
REPORT = {
    "kind": text(Helper.kind),
    "name": name(Helper.name),
    "work_unit": name(Helper.work_unit),
    "party_branch": name(Helper.party_branch),
    "contact_phone": text(Helper.contact_phone),
}
SETTINGS = {"value_cap": number(1, service.HIGHEST_VALUE_CAP)}
DECIDE = {"decision": text(20), "step": text(20), "reason": text(Helper.reason)}
