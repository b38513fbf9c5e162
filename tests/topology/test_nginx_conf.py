"""deploy/nginx.conf lets through what the app accepts: each route that takes more than the
usual body (a form with photos) falls in a location whose client_max_body_size is at least the
route's, so the app's own page, keeping what was typed, answers a photo too big."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from civic.app import create_app
from civic.settings import Settings
from tests.topology.stack import NGINX_CONF

MB = 1024 * 1024


def _megabytes(value: str) -> int:
    return int(value.removesuffix("m")) * MB


def test_every_route_that_takes_photos_fits_through_nginx() -> None:
    conf = NGINX_CONF.read_text()
    found = re.search(r"^    client_max_body_size (\d+m);$", conf, re.MULTILINE)
    assert found is not None, "deploy/nginx.conf: no client_max_body_size for every request"
    usual = _megabytes(found[1])
    larger = [
        (re.compile(pattern), _megabytes(size))
        for pattern, size in re.findall(r"location ~ (\S+) \{\s*client_max_body_size (\d+m);", conf)
    ]
    app = create_app(Settings.from_env())
    assert app.request_max_body_size == usual == 4 * MB
    checked = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            allowed = handler.resolve_request_max_body_size() or 0
            if allowed <= usual:
                continue
            path = route.path_format.replace("{slug}", "xinghua").replace("{wish_id}", "12")
            fits = [size for pattern, size in larger if pattern.search(path)]
            assert fits and max(fits) >= allowed, (path, allowed, fits)
            checked.append(path)
    assert "/c/xinghua/suggestions/new" in checked and "/c/xinghua/wishes/new" in checked
