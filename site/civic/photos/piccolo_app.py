from civic.photos.tables import Photo
from civic.piccolo_apps import feature_app

APP_CONFIG = feature_app("photos", [Photo])
