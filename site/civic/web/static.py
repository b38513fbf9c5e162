"""Static files under a content-hashed name, cached for a year: a changed file gets a new URL."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from civic.settings import ROOT

STATIC_DIR = ROOT / "static"
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


def _hashed_name(path: Path, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()[:10]
    return f"{path.stem}.{digest}{path.suffix}"


def _load(directory: Path) -> tuple[dict[str, str], dict[str, Asset]]:
    urls: dict[str, str] = {}
    assets: dict[str, Asset] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        body = path.read_bytes()
        name = _hashed_name(path, body)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type.endswith("javascript"):
            media_type += "; charset=utf-8"
        urls[path.relative_to(directory).as_posix()] = f"/static/{name}"
        assets[name] = Asset(body, media_type)
    return urls, assets


_urls, _assets = _load(STATIC_DIR)


def static_url(name: str) -> str:
    """The URL of a file in static/: static_url("style.css") -> /static/style.1a2b3c4d5e.css."""
    return _urls[name]


def static_asset(name: str) -> Asset:
    return _assets[_urls[name].removeprefix("/static/")]


@get("/static/{name:str}", sync_to_thread=False, include_in_schema=False)
def serve_static(name: FromPath[str]) -> Response[bytes]:
    asset = _assets.get(name)
    if asset is None:
        raise NotFoundException()
    return Response(
        asset.body,
        media_type=asset.media_type,
        headers={"Cache-Control": f"public, max-age={YEAR}, immutable"},
    )
