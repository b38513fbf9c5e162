from civic.piccolo_apps import feature_app
from civic.places.tables import Building, Community, Department, District, Grid, Household, Street

APP_CONFIG = feature_app(
    "places", [District, Street, Community, Grid, Building, Household, Department]
)
