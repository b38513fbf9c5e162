from civic.piccolo_apps import feature_app
from civic.wishes.tables import Helper, Wish, WishEvent

APP_CONFIG = feature_app("wishes", [Helper, Wish, WishEvent], depends_on=("places", "accounts"))
