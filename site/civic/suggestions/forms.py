"""What each 意见箱 form may hold, declared once per form and applied by Form.read: each text
as long as its column (or the rule) allows, the filer's name cleaned, ids bounded."""

from __future__ import annotations

from civic.suggestions import service
from civic.suggestions.tables import Case
from civic.web.forms import chosen_id, name, text

FILE = {
    "category": text(Case.category),
    "text": text(service.MAX_TEXT),
    "place": text(Case.place),
    "public": text(1),
    "name": name(Case.filer_name),
    "phone": text(30),
    "building": chosen_id(),
    "to": chosen_id(),
}
VERIFY = {"last4": text(10)}
RATE = {"rating": text(Case.rating), "comment": text(Case.rating_comment)}
ACT = {
    "verb": text(20),
    "note": text(service.MAX_TEXT),
    "department": chosen_id(),
    "original": text(20),
}
