from civic.piccolo_apps import feature_app
from civic.web.tables import StoreEntry, Tally

APP_CONFIG = feature_app("web", [StoreEntry, Tally])
