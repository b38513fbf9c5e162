"""What each 意见箱 form may hold, declared once per form and applied by Form.read: each text
as long as its column (or the rule) allows, the filer's name cleaned, ids bounded."""

from __future__ import annotations

from typing import Annotated

from civic.suggestions import service
from civic.suggestions.tables import Case
from civic.suggestions.workflow import MOVES
from civic.web.forms import chosen_id, name, text
from civic.web.i18n import _
from civic.web.inputs import MaybeId, one_of

CommunityFilter = MaybeId
"""A desk's queue kept to one community (?community=<id>); none for all."""
Confirmable = Annotated[str, one_of(m.name for m in MOVES.values() if m.confirm)]
"""A step asked once more before it is made (?step=reject on the confirmation page)."""

FILE = {
    "category": text(Case.category),
    "text": text(service.MAX_TEXT),
    "place": text(Case.place),
    "public": text(10),  # anything but PUBLIC or PRIVATE is refused as no choice
    "name": name(Case.filer_name),
    "phone": text(30),
    "building": chosen_id(),
    "to": chosen_id(),
}
PUBLIC, PRIVATE = "1", "0"
"""The two answers to whether a case shows on the public board; there is no default."""


def public_choice_error(chosen: str) -> str | None:
    """A message when neither answer was chosen: showing a case is the filer's decision."""
    if chosen in (PUBLIC, PRIVATE):
        return None
    return _("请选择要不要在公开栏显示：公开显示，或者不公开、只给社区工作人员看。")


VERIFY = {"last4": text(10)}
RATE = {"rating": text(Case.rating), "comment": text(Case.rating_comment)}
ACT = {
    "verb": text(20),
    "note": text(service.MAX_TEXT),
    "department": chosen_id(),
    "original": text(20),
}
