"""What each 议事厅 form may hold, declared once per form and applied by Form.read: each text
as long as its column (or the rule) allows, names and titles cleaned, numbers bounded.
One section per module: topics (routes.py), posts, votes, outcome."""

from __future__ import annotations

from typing import Annotated

from civic.hall import service
from civic.hall.tables import Topic
from civic.hall.workflow import LISTED
from civic.web.forms import chosen_id, name, text
from civic.web.inputs import one_of

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

# Posts (posts.py) --------------------------------------------------------------------------

# Votes (votes.py) --------------------------------------------------------------------------

# Outcome, convention, meetings (outcome.py) ------------------------------------------------
