"""What each 议事厅 form may hold, declared once per form and applied by Form.read: each text
as long as its column (or the rule) allows, names and titles cleaned, numbers bounded.
One section per module: topics (routes.py), posts, votes, outcome."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, TypeVar

from civic.errors import Invalid
from civic.hall import service
from civic.hall.tables import Topic
from civic.hall.workflow import LISTED
from civic.web.clock import LOCAL_TZ
from civic.web.forms import Form, chosen_id, name, text
from civic.web.i18n import _
from civic.web.inputs import one_of

E = TypeVar("E", bound=StrEnum)

# Topics ------------------------------------------------------------------------------------

Stage = Annotated[str, one_of(s.value for s in LISTED)]
"""The hall's filter: a stage, or empty for all."""

TOPIC = {
    "title": name(service.MAX_TITLE),
    "text": text(service.MAX_TEXT),
    "scope": text(Topic.scope),
    "grid": chosen_id(),
    "building": chosen_id(),
    "collect_until": text(10),
    "deliberate_until": text(10),
}
STEP = {
    "verb": text(20),
    "note": text(500),
    "outcome": text(Topic.outcome),
    "outcome_text": text(service.MAX_TEXT),
}
SET_UP = {
    "counting": text(Topic.counting),
    "threshold": text(Topic.threshold),
    "tally_while_open": text(2),
    "vote_until": text(16),
    "options": text(300),
}


def _choice(form: Form, key: str, kind: type[E], default: E) -> E:
    typed = form.get(key)
    if not typed:
        return default
    try:
        return kind(typed)
    except ValueError:
        raise Invalid({key: _("请从列表里选择。")}) from None


def scope_of(form: Form) -> Topic.Scope:
    return _choice(form, "scope", Topic.Scope, Topic.Scope.COMMUNITY)


def counting_of(form: Form) -> Topic.Counting:
    return _choice(form, "counting", Topic.Counting, Topic.Counting.PERSON)


def threshold_of(form: Form) -> Topic.Threshold:
    return _choice(form, "threshold", Topic.Threshold, Topic.Threshold.MAJORITY)


def outcome_of(form: Form) -> Topic.Outcome:
    return _choice(form, "outcome", Topic.Outcome, Topic.Outcome.DECISION)


def day_end(form: Form, key: str) -> datetime | None:
    """A date typed as 2026-12-20 (the browser's date field): the end of that day in
    Shanghai, stored in UTC; None when left empty."""
    typed = unicodedata.normalize("NFKC", form.get(key))
    if not typed:
        return None
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        raise Invalid({key: _("请按“2026-12-20”的样子填写日期。")}) from None
    end = datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)
    return end.astimezone(UTC)


def moment(form: Form, key: str) -> datetime | None:
    """A time typed as 2026-12-20T18:00 (the browser's date and time field), in Shanghai."""
    typed = unicodedata.normalize("NFKC", form.get(key)).replace(" ", "T")
    if not typed:
        return None
    try:
        at = datetime.fromisoformat(typed)
    except ValueError:
        raise Invalid({key: _("请按“2026-12-20 18:00”的样子填写时间。")}) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_TZ)
    return at.astimezone(UTC)


# Posts (posts.py) --------------------------------------------------------------------------

# The stance is checked by posts.write; the text's bound is posts.MAX_TEXT, the reason's the
# column's (Post.hidden_reason, 100). "page" is the page the form was on, to come back to.
POST = {"stance": text(20), "text": text(1000), "parent": chosen_id(), "page": text(5)}
EDIT = {"text": text(1000), "page": text(5)}
HIDE = {"reason": name(100), "page": text(5)}
REPORT = {"page": text(5)}

# Votes (votes.py) --------------------------------------------------------------------------

VOTE = {"option": chosen_id()}
BALLOT = {"household": chosen_id(), "option": chosen_id(), "meeting": chosen_id()}

# Outcome, convention, meetings (outcome.py) ------------------------------------------------

# Bounds beside outcome.py's own (it checks each article, the day, the attendance, the kind):
# at most 40 articles of 500 characters with the numbers someone typed before them.
ARTICLES = {"articles": text(40 * 520)}
MEETING = {
    "kind": text(20),
    "held_on": text(20),
    "place": name(60),
    "attended": text(6),
    "minutes": text(5000),
}
