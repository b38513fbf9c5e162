from civic.piccolo_apps import feature_app
from civic.suggestions.tables import Case, CaseEvent, CasePhoto

APP_CONFIG = feature_app(
    "suggestions", [Case, CaseEvent, CasePhoto], depends_on=("places", "accounts")
)
