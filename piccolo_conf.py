"""For the `piccolo` command line run from the project folder; the site uses civic.piccolo_conf."""

from civic.piccolo_conf import *  # noqa: F403
