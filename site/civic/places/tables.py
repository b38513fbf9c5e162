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


class Department(Table):
    """A city department (职能部门) that escalated cases are summoned to."""

    id: Serial
    name = Varchar(length=50)
    slug = Varchar(length=40, unique=True)
