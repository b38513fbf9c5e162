"""Piccolo's configuration: the engine from CIVIC_DATABASE_URL and the feature apps."""

import os

from piccolo.conf.apps import AppRegistry

from civic.db import engine_from_url
from civic.features import piccolo_apps
from civic.settings import default_database_url

DB = engine_from_url(os.environ.get("CIVIC_DATABASE_URL") or default_database_url())

APP_REGISTRY = AppRegistry(apps=piccolo_apps())
