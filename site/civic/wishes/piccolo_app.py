from civic.piccolo_apps import feature_app
from civic.wishes.tables import Helper, HelperEvent, TreeSettings, Wish, WishEvent

APP_CONFIG = feature_app(
    "wishes",
    [Helper, HelperEvent, Wish, WishEvent, TreeSettings],
    depends_on=("places", "accounts", "photos", "web"),
)
