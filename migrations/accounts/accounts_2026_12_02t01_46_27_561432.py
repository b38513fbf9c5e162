from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Household(Table, tablename="household", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-02T01:46:27:561432"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Person",
        tablename="person",
        column_name="household",
        db_column_name="household",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Household,
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Person",
        tablename="person",
        column_name="household_confirmed_at",
        db_column_name="household_confirmed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Person",
        tablename="person",
        column_name="household_confirmed_by",
        db_column_name="household_confirmed_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": "self",
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Person",
        tablename="person",
        column_name="household_head",
        db_column_name="household_head",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Membership",
        tablename="membership",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {
                    "RESIDENT": "resident",
                    "PARTY_MEMBER": "party_member",
                    "PARTY_REPRESENTATIVE": "party_rep",
                    "BUILDING_LEADER": "building_leader",
                    "GRID_WORKER": "grid_worker",
                    "COUNCIL_MEMBER": "council_member",
                    "COMMUNITY_STAFF": "community_staff",
                    "STREET_OFFICIAL": "street_official",
                    "DEPARTMENT_STAFF": "department_staff",
                    "MERCHANT_STAFF": "merchant_staff",
                    "DISTRICT_ADMIN": "district_admin",
                },
            )
        },
        old_params={
            "choices": Enum(
                "Role",
                {
                    "RESIDENT": "resident",
                    "PARTY_MEMBER": "party_member",
                    "PARTY_REPRESENTATIVE": "party_rep",
                    "BUILDING_LEADER": "building_leader",
                    "GRID_WORKER": "grid_worker",
                    "COMMUNITY_STAFF": "community_staff",
                    "STREET_OFFICIAL": "street_official",
                    "DEPARTMENT_STAFF": "department_staff",
                    "MERCHANT_STAFF": "merchant_staff",
                    "DISTRICT_ADMIN": "district_admin",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
