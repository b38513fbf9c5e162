"""Piccolo's configuration: the engine from CIVIC_DATABASE_URL and the feature apps."""

import os

from piccolo.conf.apps import AppRegistry

from civic.db import engine_from_url
from civic.settings import default_database_url

DB = engine_from_url(os.environ.get("CIVIC_DATABASE_URL") or default_database_url())

APP_REGISTRY = AppRegistry(
    apps=[
        "civic.web.piccolo_app",
        "civic.places.piccolo_app",
        "civic.accounts.piccolo_app",
        "civic.photos.piccolo_app",
        "civic.wishes.piccolo_app",
        "civic.suggestions.piccolo_app",
    ]
)
