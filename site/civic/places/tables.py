"""District › street › community › grid and building; and the city departments cases go to."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Varchar
from piccolo.table import Table


class District(Table):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    name = Varchar(length=50)


class Street(Table):
    id: Serial
    district = ForeignKey(District, on_delete=OnDelete.restrict)
    name = Varchar(length=50)
    slug = Varchar(length=40, unique=True)
    position = Integer(default=0)


class Community(Table):
    id: Serial
    street = ForeignKey(Street, on_delete=OnDelete.restrict)
    name = Varchar(length=50)
    slug = Varchar(length=40, unique=True)
    address = Varchar(length=120, default="")
    office_hours = Varchar(length=120, default="")
    office_phone = Varchar(length=30, default="")
    intro = Text(default="")
    position = Integer(default=0)


class Grid(Table):
    """网格: about 300 households, looked after by a grid worker."""

    id: Serial
    community = ForeignKey(Community, on_delete=OnDelete.restrict)
    name = Varchar(length=50)
    position = Integer(default=0)


class Building(Table):
    """楼门: a building or entrance, looked after by a building leader."""

    id: Serial
    community = ForeignKey(Community, on_delete=OnDelete.restrict)
    grid = ForeignKey(Grid, null=True, on_delete=OnDelete.set_null)
    name = Varchar(length=50)
    position = Integer(default=0)


class Household(Table):
    """户: one dwelling of a building, its door number as its residents write it. Its residents
    are the people whose `household` is this one (civic.accounts)."""

    id: Serial
    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True)
    door = Varchar(length=30)  # 3号楼2单元501
    area_dm2 = Integer(default=0)
    """Floor area in square decimetres (1 m² = 100 dm²): integers, so that a threshold of
    exactly two thirds of the area is decided without rounding."""
    key = Varchar(length=90, unique=True)
    """building id and door number with spaces removed: one dwelling is entered once."""


class Department(Table):
    """A city department (职能部门) that escalated cases are summoned to."""

    id: Serial
    name = Varchar(length=50)
    slug = Varchar(length=40, unique=True)
