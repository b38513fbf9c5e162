from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from civic.accounts.roles import Role
from civic.places.tables import Building, Household


class Person(Table):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    phone = Varchar(length=11, unique=True)
    name = Varchar(length=20)
    password_hash = Varchar(length=200)
    building = ForeignKey(Building, null=True, on_delete=OnDelete.set_null)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # The home a person lives in (at most one). It counts for household votes only once staff
    # or the building leader confirmed it; one of a home's residents is its head (户长).
    household = ForeignKey(Household, null=True, on_delete=OnDelete.set_null, index=True)
    household_head = Boolean(default=False)
    household_confirmed_at = Timestamptz(null=True, default=None)
    household_confirmed_by: ForeignKey["Person"] = ForeignKey(
        "self", null=True, on_delete=OnDelete.set_null
    )


class Membership(Table):
    """A role held in one place: scope_id is the community, street, department or merchant id
    that the role's scope names (0 for the district). Unique per (person, role, scope_id)."""

    id: Serial
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20, choices=Role)
    scope_id = Integer(index=True)
    granted_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
