from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-23T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a role is held at most once per place"


class Membership(Table, tablename="membership"):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def unique_membership():
        await Membership.raw(
            "CREATE UNIQUE INDEX membership_person_role_scope ON membership (person, role, scope_id)"
        )

    async def drop_unique_membership():
        await Membership.raw("DROP INDEX membership_person_role_scope")

    manager.add_raw(unique_membership)
    manager.add_raw_backwards(drop_unique_membership)
    return manager
