"""微心愿: wishes, their history, and the party members and organisations who report (报到)
to a community so that they may claim them."""

from enum import StrEnum

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from civic.accounts.tables import Person
from civic.photos.tables import Photo
from civic.places.tables import Community, Grid


class Helper(Table):
    """A person's report (报到) to a community, as a party member or for an organisation."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    class Kind(StrEnum):
        MEMBER = "member"
        ORGANISATION = "organisation"

    class Status(StrEnum):
        PENDING = "pending"
        VERIFIED = "verified"
        REJECTED = "rejected"
        REVOKED = "revoked"

    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    community = ForeignKey(Community, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=Kind)
    name = Varchar(length=50)
    work_unit = Varchar(length=80, default="")
    party_branch = Varchar(length=80, default="")
    contact_phone = Varchar(length=20, default="")
    photo = ForeignKey(Photo, null=True, on_delete=OnDelete.set_null)  # seen by staff only
    status = Varchar(length=20, choices=Status, default=Status.PENDING)
    reason = Varchar(length=200, default="")
    decided_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=0)  # moved on by every step (civic.workflow)
    # Counted in the transaction of each claim and fulfilment, so the figures read them
    # instead of counting years of events on every view.
    claims = Integer(default=0)
    fulfilments = Integer(default=0)


class Wish(Table):
    id: Serial

    class Status(StrEnum):
        SUBMITTED = "submitted"
        RETURNED = "returned"
        PUBLISHED = "published"
        CLAIMED = "claimed"
        FULFILLED = "fulfilled"
        CONFIRMED = "confirmed"
        REJECTED = "rejected"
        WITHDRAWN = "withdrawn"

    class Category(StrEnum):
        DAILY = "生活用品"
        SCHOOL = "助学"
        ELDERLY = "助老"
        DISABILITY = "助残"
        REPAIR = "维修"
        MEDICAL = "医疗"
        OTHER = "其他"

    community = ForeignKey(Community, on_delete=OnDelete.restrict, index=True)
    grid = ForeignKey(Grid, null=True, on_delete=OnDelete.set_null)
    beneficiary = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    posted_by = ForeignKey(Person, on_delete=OnDelete.restrict)
    title = Varchar(length=30)
    description = Text(default="")
    category = Varchar(length=10, choices=Category)
    value_yuan = Integer(default=0)
    photo = ForeignKey(Photo, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=20, choices=Status, default=Status.SUBMITTED, index=True)
    claimed_by = ForeignKey(Helper, null=True, on_delete=OnDelete.restrict, index=True)
    claim_deadline = Timestamptz(null=True, default=None)
    claim_warned_at = Timestamptz(null=True, default=None)
    """When the claimer was told the claim is about to run out; None again for a new claim."""
    fulfil_note = Text(default="")
    fulfil_photo = ForeignKey(Photo, null=True, on_delete=OnDelete.set_null)
    thank_you = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    fulfilled_at = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    version = Integer(default=0)  # moved on by every step (civic.workflow)


class WishEvent(Table):
    """One move of a wish: who, when, from, to, note. The history is the list of these."""

    id: Serial
    wish = ForeignKey(Wish, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    verb = Varchar(length=20, default="")
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class HelperEvent(Table):
    """One decision on a report (报到): verified, refused, revoked; who, when, why."""

    id: Serial
    helper = ForeignKey(Helper, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    verb = Varchar(length=20)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class TreeSettings(Table):
    """A community's own settings for its wish tree; a community without a row uses the
    defaults in wishes/service.py."""

    id: Serial
    community = ForeignKey(Community, on_delete=OnDelete.cascade, unique=True)
    value_cap = Integer()
    updated_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())
