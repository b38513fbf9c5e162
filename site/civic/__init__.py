"""掌上社区: the civic participation site of one district."""

import os

# Piccolo finds its engine and apps through this module wherever the code runs from.
os.environ.setdefault("PICCOLO_CONF", "civic.piccolo_conf")
