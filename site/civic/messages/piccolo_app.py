from civic.messages.tables import Message
from civic.piccolo_apps import feature_app

APP_CONFIG = feature_app("messages", [Message], depends_on=("accounts",))
