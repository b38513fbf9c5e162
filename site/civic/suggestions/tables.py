"""意见箱: cases filed by residents, answered against the clock, escalated (吹哨) to the street
or a city department when the community cannot solve them."""

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.column_types import Serial
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from civic.accounts.tables import Person
from civic.places.tables import Building, Community, Department


class Case(Table):
    id: Serial  # Piccolo adds the primary key; declared for the type checker

    class Status(StrEnum):
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        IN_PROGRESS = "in_progress"
        ESCALATED = "escalated"  # 吹哨: waiting for the street or department to report (报到)
        FEEDBACK = "feedback"
        CLOSED = "closed"
        REJECTED = "rejected"
        MERGED = "merged"

    class Category(StrEnum):
        SANITATION = "环境卫生"
        PARKING = "停车管理"
        REPAIR = "设施维修"
        SAFETY = "治安安全"
        NEIGHBOURS = "邻里纠纷"
        PROPERTY = "物业服务"
        SUGGESTION = "意见建议"
        OTHER = "其他"

    class Level(StrEnum):
        """Who holds the case now."""

        COMMUNITY = "community"
        STREET = "street"
        DEPARTMENT = "department"

    class Rating(StrEnum):
        SATISFIED = "satisfied"
        FAIRLY = "fairly"
        UNSATISFIED = "unsatisfied"

    code = Varchar(length=8, unique=True)
    community = ForeignKey(Community, on_delete=OnDelete.restrict, index=True)
    category = Varchar(length=10, choices=Category)
    text = Text()
    building = ForeignKey(Building, null=True, on_delete=OnDelete.set_null)
    place = Varchar(length=100, default="")
    is_public = Boolean(default=True)
    # Who the case is from: a signed-in person, or a name and phone typed in (either may be
    # empty); `filed_by` is whoever typed it in, e.g. a grid worker for a resident.
    filer = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    filed_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    filer_name = Varchar(length=30, default="")
    filer_phone = Varchar(length=20, default="")
    # 党代表意见箱: a case addressed to a party representative rather than the community.
    representative = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    status = Varchar(length=20, choices=Status, default=Status.SUBMITTED, index=True)
    level = Varchar(length=20, choices=Level, default=Level.COMMUNITY)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict, index=True)
    answer = Text(default="")
    rating = Varchar(length=20, default="")
    rating_comment = Varchar(length=200, default="")
    reopened = Boolean(default=False)
    answered_late = Boolean(default=False)  # any feedback given after its deadline
    merged_into = Varchar(length=8, default="")
    filed_at = Timestamptz(default=TimestamptzNow())
    respond_by = Timestamptz()
    resolve_by = Timestamptz()
    responded_at = Timestamptz(null=True, default=None)
    # When the desk holding the case was told a deadline is near: once per deadline, so a
    # step that moves `resolve_by` (escalating, reopening) sets its warning back to None.
    respond_warned_at = Timestamptz(null=True, default=None)
    resolve_warned_at = Timestamptz(null=True, default=None)
    held_since = Timestamptz(null=True, default=None)
    escalated_at = Timestamptz(null=True, default=None)
    feedback_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    adopted_at = Timestamptz(null=True, default=None)
    version = Integer(default=0)  # moved on by every step (civic.workflow)


class CaseEvent(Table):
    """One step of a case: who, when, what, from which state to which, a note."""

    id: Serial
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    verb = Varchar(length=20)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    level = Varchar(length=20, default="")  # who holds the case after this step
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class CasePhoto(Table):
    """Up to three photos of a case, in the order they were chosen."""

    id: Serial
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    photo_id = Integer()
    position = Integer(default=0)
