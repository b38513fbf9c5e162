"""The floor for `make bench`: the site's base template rendered with no database.

It uses the site's own Jinja set-up and CSRF (base.html asks for a token twice), and
nothing else: no session, no viewer lookup, no compression, no security headers. The
site's requests per second divided by this app's is a figure that stays comparable
from one machine, or one noisy minute, to the next.

Serve it with: uvicorn bare_app:app --app-dir bench
"""

from __future__ import annotations

import os
import secrets

from litestar import Litestar, Request, get
from litestar.config.csrf import CSRFConfig
from litestar.response import Template

from civic.web.templating import template_config


@get("/", sync_to_thread=False)
def page(request: Request) -> Template:
    # The context civic.web.pages.render() gives every page, for a visitor.
    return Template(
        template_name="errors/error.html",
        context={
            "viewer": None,
            "elder": False,
            "boosted": False,
            "path": request.url.path,
            "title": "掌上社区",
            "message": "这一页只用来测量模板渲染的速度。",
            "back": "",
        },
    )


app = Litestar(
    route_handlers=[page],
    template_config=template_config(),
    csrf_config=CSRFConfig(
        secret=os.environ.get("CIVIC_SECRET_KEY") or secrets.token_urlsafe(36),
        cookie_httponly=True,
        cookie_samesite="lax",
    ),
    openapi_config=None,
)
