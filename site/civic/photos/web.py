"""Sending a stored photo. Each feature serves its photos under its own address, after it has
checked that the person may see them; this only writes the response."""

from __future__ import annotations

from litestar import Response

from civic.photos.tables import Photo

YEAR = 365 * 24 * 3600


def photo_response(photo: Photo) -> Response[bytes]:
    """The photo's bytes. Pages link to a photo with its id in the address, so a replaced
    photo gets a new address and this one may be kept for a year; "private" keeps it out of
    shared caches, because who may see it was decided for this person."""
    return Response(
        photo.data,
        media_type=photo.content_type,
        headers={
            "Cache-Control": f"private, max-age={YEAR}, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


SKIP_COMPRESSION = "skip_compression"
"""The handler option (set in app.py's compression config) that leaves a response as it is."""

PHOTO_ROUTE_OPT = {SKIP_COMPRESSION: True}
"""The `opt` of a handler that sends a photo: a JPEG is already compressed, so
brotli would spend CPU time to win nothing."""

UPLOAD_MAX_BODY = 12 * 1024 * 1024
"""What a form with a photo may send: a phone photo as taken (often 3 to 8 MB) and the text.
A larger body is refused with 413 from its Content-Length, before any of it is read."""
