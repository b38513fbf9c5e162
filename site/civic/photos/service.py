"""Photos people upload: checked, turned upright, shrunk and stripped of metadata, then stored.

What a phone uploads carries EXIF: the place it was taken (GPS), the time, the phone. None of
it survives: the pixels are decoded and written to a new JPEG that has no metadata at all.
No HTTP in here; a route hands over the uploaded file as it came."""

from __future__ import annotations

import asyncio
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from PIL import Image, ImageCms, ImageOps

from civic.errors import DomainError
from civic.photos.tables import Photo
from civic.web.gauge import Gauge
from civic.web.i18n import _

MAX_SIDE = 1600
"""The long side of a stored photo, in pixels: sharp on any phone, small to send."""
MAX_BYTES = 200 * 1024
"""A stored photo is at most this big; quality, then size, go down step by step until it fits."""
MAX_PIXELS = 24_000_000
"""Larger images are refused before they are decoded. A phone camera saves 12 to 24 megapixels
(6000 × 4000 at most, unless set to a special 48- or 108-megapixel mode), while a PNG of
7000 × 7000 that is 48 KB on the wire unpacks to about 385 MB: at 24 megapixels a decode costs
at most about 100 MB."""
DECODING_AT_ONCE = 2
"""Photos decoded and re-encoded at the same time in one worker. Each may hold a hundred
megabytes while it is decoded; a burst of uploads waits its turn instead of adding up."""
QUALITIES = (85, 75, 65, 55, 45)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")  # JPEG also opens MPO (several cameras)
"""What phones and computers save photos as. Only these decoders are tried: Pillow knows
formats (EPS among them) whose decoders run other programs."""

# Pillow checks the size an image announces before decoding it: over MAX_IMAGE_PIXELS it warns,
# over twice that it refuses. Both become a refusal here (the warning, an error, is caught in
# _open), so no image over MAX_PIXELS is ever decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

DECODING = Gauge()
"""Photos being decoded or re-encoded in this worker now; `peak` shows the bound holding."""
# A pool rather than an asyncio.Semaphore: a module-level semaphore belongs to the first event
# loop that waits on it, and the pool's threads are where the decoding runs anyway.
_decoders = ThreadPoolExecutor(max_workers=DECODING_AT_ONCE, thread_name_prefix="photo")


class BadPhoto(DomainError):
    """An upload that is not a photo we can read; what was typed in the form stays."""

    status_code = 422


class Upload(Protocol):
    """An uploaded file as the web layer hands it over (Litestar's UploadFile is one)."""

    filename: str

    async def read(self, size: int = -1) -> bytes: ...


def _not_a_photo() -> BadPhoto:
    return BadPhoto(
        _("这不是一张能打开的照片。请选择 JPG 或 PNG 格式的照片（手机相册里的照片一般都可以）。")
    )


def _too_big() -> BadPhoto:
    return BadPhoto(_("这张照片太大了（像素太多），请换一张或先用手机裁小一点。"))


def _open(raw: bytes) -> Image.Image:
    """The image in `raw`, checked from its header but not yet decoded; BadPhoto for anything
    else, and for an image with too many pixels."""
    try:
        with Image.open(io.BytesIO(raw), formats=FORMATS) as probe:
            probe.verify()  # structure and checksums, without decoding the pixels
        image = Image.open(io.BytesIO(raw), formats=FORMATS)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_big()
        if image.format in {"JPEG", "MPO"}:
            # Decode a JPEG at a fraction of its size when that is still big enough: faster,
            # and far less memory for a 48-megapixel phone photo.
            scale = MAX_SIDE / max(width, height)
            if scale < 1:
                image.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
    except BadPhoto:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big() from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError):
        raise _not_a_photo() from None
    return image


def _decode(image: Image.Image) -> None:
    """The pixels of an image _open has let through; BadPhoto when they cannot be read."""
    try:
        image.load()
        # WeasyPrint, once it has rendered a PDF in this process, tells Pillow to decode a cut-off
        # image as far as it goes (ImageFile.LOAD_TRUNCATED_IMAGES): Pillow then ends a JPEG
        # early and marks it so. A photo half grey is refused either way. (A cut-off PNG is
        # already refused by verify(), which checks every chunk.)
        if getattr(image, "_ended", False):
            raise BadPhoto(_("这张照片不完整，可能没有存好。请换一张，或重新拍一张。"))
    except BadPhoto:
        raise
    except (OSError, SyntaxError, ValueError):
        raise _not_a_photo() from None


def _shrink(image: Image.Image) -> None:
    """Down to MAX_SIDE before anything else is done with it, so the steps that copy the pixels
    (turning, colour, flattening) copy a small image: a 24-megapixel PNG would otherwise be held
    three times over. Palette and bilevel images are left whole: Pillow would shrink them by
    dropping pixels; they are shrunk once they are RGB."""
    if image.mode not in {"P", "1"} and max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as the phone showed them: many phones shoot in a wider colour space (Display P3)
    and say so in an ICC profile, which is about to be dropped with the rest of the metadata."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA"}:
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode=image.mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are
    return converted or image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; anything transparent is laid on white, as on the page."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # Only what is passed here is written: no exif=, no icc_profile=, no comment, no XMP.
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def reencode(raw: bytes) -> tuple[bytes, int, int]:
    """The photo in `raw` as a new JPEG: upright (EXIF orientation applied), long side at most
    MAX_SIDE, at most MAX_BYTES, without any metadata. Returns (jpeg, width, height).
    Raises BadPhoto for anything that is not a photo, before decoding it when its header already
    says it is too big. Takes a fraction of a second and up to a hundred megabytes: the site
    calls it through save(), which runs it in the pool that bounds how many run at once."""
    image = _open(raw)
    with DECODING.held():
        _decode(image)
        _shrink(image)
        image = ImageOps.exif_transpose(image) or image
        image = _flatten(_to_srgb(image))
        # A new image holds the pixels alone: nothing of the upload's info dict can follow it.
        clean = Image.new("RGB", image.size)
        clean.paste(image)
        clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        while True:
            for quality in QUALITIES:
                data = _jpeg(clean, quality)
                if len(data) <= MAX_BYTES:
                    return data, clean.width, clean.height
            # Still too big at the lowest quality (a photo full of fine detail): fewer pixels.
            width, height = max(1, int(clean.width * 0.8)), max(1, int(clean.height * 0.8))
            clean = clean.resize((width, height), Image.Resampling.LANCZOS)


async def save(raw: bytes) -> int:
    """Re-encode `raw` and store it; the new photo's id. Raises BadPhoto. The re-encoding runs
    in the photo pool, off the event loop, at most DECODING_AT_ONCE at a time; a burst of
    uploads queues there, each already read into memory and at most 12 MB."""
    loop = asyncio.get_running_loop()
    data, width, height = await loop.run_in_executor(_decoders, reencode, raw)
    photo = Photo(
        data=data,
        content_type="image/jpeg",
        width=width,
        height=height,
        size=len(data),
        pending=True,
    )
    return (await Photo.insert(photo).returning(Photo.id))[0]["id"]


async def save_upload(upload: Upload | None) -> int | None:
    """Store an uploaded photo; None when no file was chosen (a form's photo is optional).
    Raises BadPhoto when the file is not a photo."""
    if upload is None:
        return None
    raw = await upload.read()
    if not raw:
        return None
    return await save(raw)


async def load(photo_id: int) -> Photo | None:
    return await Photo.objects().where(Photo.id == photo_id).first()


async def attach(*photo_ids: int | None) -> None:
    """Inside the transaction that stores what the photos belong to: they are kept."""
    ids = [p for p in photo_ids if p is not None]
    if ids:
        await Photo.update({Photo.pending: False}).where(Photo.id.is_in(ids))


async def delete_orphans(before: datetime) -> int:
    """Photos saved before `before` and never attached (the form was refused, or the worker
    died between saving the photo and the wish or case): personal data kept for nothing."""
    gone = (
        await Photo.delete()
        .where((Photo.pending == True) & (Photo.created_at < before))  # noqa: E712
        .returning(Photo.id)
    )
    return len(gone)


async def discard(photo_id: int | None) -> None:
    """Remove a photo stored for a form that was then refused, so it is not kept for nothing."""
    if photo_id is not None:
        await Photo.delete().where(Photo.id == photo_id)
