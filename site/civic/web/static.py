"""Static files under a content-hashed name, cached for a year: a changed file gets a new URL.

Each text file is compressed once per process, at the best quality, the first time a browser
asks for it in that encoding, and the stored bytes answer every later request: the
compression middleware, which would compress them again on every request at the quick
quality pages get, leaves this route alone."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli  # type: ignore[import-untyped]
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from civic.photos.web import SKIP_COMPRESSION
from civic.settings import ROOT

STATIC_DIR = ROOT / "static"
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str

    @property
    def compressible(self) -> bool:
        kind = self.media_type.split(";")[0]
        return kind.startswith("text/") or kind.endswith(("javascript", "json", "+xml"))


BROTLI = "br"
GZIP = "gzip"


def _brotli(body: bytes) -> bytes:
    return bytes(brotli.compress(body, quality=11, mode=brotli.MODE_TEXT))


def _gzip(body: bytes) -> bytes:
    # mtime=0: the same file gives the same bytes in every process.
    return gzip.compress(body, compresslevel=9, mtime=0)


COMPRESSORS = {BROTLI: _brotli, GZIP: _gzip}


class _Compressed:
    """A file's compressed bytes by encoding, keyed by the hash of its content: a file is
    compressed at most once per encoding in a process. `made` counts the compressions done,
    for the tests."""

    def __init__(self) -> None:
        self._bytes: dict[tuple[str, str], bytes] = {}
        self.made = 0

    def get(self, asset: Asset, encoding: str) -> bytes:
        key = (hashlib.sha256(asset.body).hexdigest(), encoding)
        found = self._bytes.get(key)
        if found is None:
            # The route runs on the event loop, not in threads: nothing else runs meanwhile.
            found = COMPRESSORS[encoding](asset.body)
            self._bytes[key] = found
            self.made += 1
        return found


compressed = _Compressed()


def chosen_encoding(accept_encoding: str) -> str | None:
    """br when the browser takes it, else gzip, else none; an encoding refused with q=0 is
    not taken."""
    taken = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=")
        try:
            refused = bool(params) and float(quality) == 0
        except ValueError:
            refused = False
        if not refused:
            taken.add(name.strip())
    for encoding in (BROTLI, GZIP):
        if encoding in taken:
            return encoding
    return None


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
        # Litestar names the charset of text/* itself; a script's it does not.
        if media_type.endswith("javascript"):
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


@get(
    "/static/{name:str}",
    sync_to_thread=False,
    include_in_schema=False,
    opt={SKIP_COMPRESSION: True},
)
def serve_static(request: Request, name: FromPath[str]) -> Response[bytes]:
    asset = _assets.get(name)
    if asset is None:
        raise NotFoundException()
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable"}
    body = asset.body
    if asset.compressible:
        headers["Vary"] = "Accept-Encoding"
        encoding = chosen_encoding(request.headers.get("accept-encoding", ""))
        if encoding is not None:
            body = compressed.get(asset, encoding)
            headers["Content-Encoding"] = encoding
    return Response(body, media_type=asset.media_type, headers=headers)
