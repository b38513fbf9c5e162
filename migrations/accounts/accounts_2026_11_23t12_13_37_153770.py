from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-23T12:13:37:153770"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
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
