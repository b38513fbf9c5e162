"""议事厅: topics that residents deliberate, decide by a vote per person or per household, and
end as a decision or a convention (公约) on paper."""

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from civic.accounts.tables import Person
from civic.places.tables import Building, Community, Grid, Household


class Topic(Table):
    id: Serial  # Piccolo adds the primary key; declared for the type checker

    class Status(StrEnum):
        PROPOSED = "proposed"  # a resident's proposal, waiting for staff or the council
        DECLINED = "declined"
        COLLECTING = "collecting"  # 征集需求
        DELIBERATING = "deliberating"  # 讨论协商
        VOTING = "voting"  # 表决
        PUBLISHED = "published"  # 公示: the outcome is out

    class Scope(StrEnum):
        """Who takes part: the whole community, one grid, or one building's households."""

        COMMUNITY = "community"
        GRID = "grid"
        BUILDING = "building"

    class Counting(StrEnum):
        """One vote per resident, or per household (the head, or any confirmed resident)."""

        PERSON = "person"
        HOUSEHOLD = "household"
        HEAD = "head"

    class Threshold(StrEnum):
        MAJORITY = "majority"  # more than half of those voting agree
        # 《民法典》第二百七十八条: households holding ≥ 2/3 of the area and ≥ 2/3 of the
        # households take part, and of those taking part ≥ 3/4 (SPECIAL: 改建、重建, e.g. a lift)
        # or more than half (ORDINARY: the article's other matters) agree, by area and by head.
        SPECIAL = "special"
        ORDINARY = "ordinary"

    class Outcome(StrEnum):
        DECISION = "decision"
        CONVENTION = "convention"  # 公约: numbered articles that residents may sign

    community = ForeignKey(Community, on_delete=OnDelete.restrict, index=True)
    scope = Varchar(length=20, choices=Scope, default=Scope.COMMUNITY)
    grid = ForeignKey(Grid, null=True, on_delete=OnDelete.restrict)
    building = ForeignKey(Building, null=True, on_delete=OnDelete.restrict)
    title = Varchar(length=60)
    text = Text()
    proposed_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, choices=Status, default=Status.PROPOSED, index=True)
    # Each stage's planned end (optional), shown as time left.
    collect_until = Timestamptz(null=True, default=None)
    deliberate_until = Timestamptz(null=True, default=None)
    # The vote, when the topic has one (set by staff before it opens).
    has_vote = Boolean(default=False)
    counting = Varchar(length=20, choices=Counting, default=Counting.PERSON)
    threshold = Varchar(length=20, choices=Threshold, default=Threshold.MAJORITY)
    tally_while_open = Boolean(default=True)
    vote_until = Timestamptz(null=True, default=None)
    # The outcome, written by staff or the council when publishing.
    outcome = Varchar(length=20, choices=Outcome, default=Outcome.DECISION)
    outcome_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    accepted_at = Timestamptz(null=True, default=None)
    deliberating_at = Timestamptz(null=True, default=None)
    voting_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)  # declined
    version = Integer(default=0)  # moved on by every step (civic.workflow)
    changed = Integer(default=0)
    """Moved on by anything the topic page shows (a post, an edit, a hidden post, a vote, a
    signature): the page's ETag, the same for every worker."""


class TopicEvent(Table):
    """One step of a topic: who, when, which stage to which, a note."""

    id: Serial
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    verb = Varchar(length=20)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class Post(Table):
    """A resident's say on a topic, with a stance; a reply is one level deep."""

    id: Serial

    class Stance(StrEnum):
        FOR = "for"  # 支持
        AGAINST = "against"  # 反对
        IDEA = "idea"  # 建议
        OTHER = "other"  # 其他

    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    author = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    parent: ForeignKey["Post"] = ForeignKey(
        "self", null=True, on_delete=OnDelete.restrict, index=True
    )
    stance = Varchar(length=20, choices=Stance, default=Stance.OTHER)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    reports = Integer(default=0)  # how many people reported it (举报), not yet handled
    hidden_at = Timestamptz(null=True, default=None)
    hidden_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    hidden_reason = Varchar(length=100, default="")


class PostReport(Table):
    """Someone reported a post (举报): once per person and post."""

    id: Serial
    post = ForeignKey(Post, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict)
    key = Varchar(length=40, unique=True)  # "<post>:<person>"
    at = Timestamptz(default=TimestamptzNow())
    handled_at = Timestamptz(null=True, default=None)


class Meeting(Table):
    """A meeting held on a topic: 户长会, 民情恳谈会, 议事会."""

    id: Serial

    class Kind(StrEnum):
        HOUSEHOLD_HEADS = "household_heads"  # 户长会
        HEARING = "hearing"  # 民情恳谈会
        COUNCIL = "council"  # 议事会

    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=Kind)
    held_on = Date()
    place = Varchar(length=60, default="")
    attended = Integer(default=0)
    minutes = Text(default="")
    recorded_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())


class VoteOption(Table):
    """What a vote offers: 同意 / 不同意 / 弃权, or choices; `agrees` marks what counts as
    agreement for a threshold, `abstains` what counts as taking part without a side."""

    id: Serial
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    position = Integer(default=0)
    label = Varchar(length=30)
    agrees = Boolean(default=False)
    abstains = Boolean(default=False)


class Vote(Table):
    """One counted vote. `voter` is unique: "<topic>:p<person>" on a vote per resident,
    "<topic>:h<household>" on a vote per household, so the database itself keeps one vote
    per voter under any race; changing a vote updates this row."""

    id: Serial
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    option = ForeignKey(VoteOption, on_delete=OnDelete.restrict)
    voter = Varchar(length=40, unique=True)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    """Who voted; for a paper ballot, the resident named on it (if any)."""
    household = ForeignKey(Household, null=True, on_delete=OnDelete.restrict)
    area_dm2 = Integer(default=0)  # the household's area when it voted
    entered_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    """Staff who typed in a paper ballot; None when the voter voted on the site."""
    meeting = ForeignKey(Meeting, null=True, on_delete=OnDelete.restrict)
    cast_at = Timestamptz(default=TimestamptzNow())
    changed_at = Timestamptz(null=True, default=None)


class Article(Table):
    """One numbered article of a convention (公约)."""

    id: Serial
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    number = Integer()
    text = Text()


class Signature(Table):
    """A resident signed the convention (签署): once per person and topic."""

    id: Serial
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict)
    key = Varchar(length=40, unique=True)  # "<topic>:<person>"
    signed_at = Timestamptz(default=TimestamptzNow())
