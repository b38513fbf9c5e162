from civic.accounts.tables import Membership, Person
from civic.piccolo_apps import feature_app

APP_CONFIG = feature_app("accounts", [Person, Membership], depends_on=("places",))
