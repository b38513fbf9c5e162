"""What a photo may cost: nothing over a phone camera's 24 megapixels is decoded, and however
many arrive at once, only a couple are decoded at the same time."""

from __future__ import annotations

import asyncio
import io

import pytest
from litestar.datastructures import UploadFile
from PIL import Image

from civic.photos import service as photos
from civic.photos.service import BadPhoto
from civic.photos.tables import Photo
from tests.unit.test_photos import phone_photo


def blank_png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "size", [(6001, 4000), (7000, 7000)], ids=["just-over-24-megapixels", "49-megapixels"]
)
async def test_an_image_over_24_megapixels_is_refused_and_never_decoded(size):
    raw = blank_png(size)
    assert len(raw) < 64 * 1024  # small on the wire, huge once decoded
    decoded = photos.DECODING.total
    with pytest.raises(BadPhoto, match="这张照片太大了（像素太多），请换一张或先用手机裁小一点。"):
        await photos.save_upload(UploadFile("image/png", "big.png", raw))
    assert photos.DECODING.total == decoded
    assert await Photo.count() == 0


async def test_a_photo_of_24_megapixels_is_taken():
    photo_id = await photos.save_upload(UploadFile("image/png", "ok.png", blank_png((6000, 4000))))
    stored = await photos.load(photo_id)
    assert stored is not None and (stored.width, stored.height) == (1600, 1067)


async def test_twenty_uploads_at_once_are_decoded_two_at_a_time():
    raw = phone_photo((2400, 1800), gps=False)
    photos.DECODING.reset_peak()
    started = photos.DECODING.total
    uploads = [UploadFile("image/jpeg", f"IMG_{n:04}.JPG", raw) for n in range(20)]
    ids = await asyncio.gather(*(photos.save_upload(u) for u in uploads))
    assert len(set(ids)) == 20 and await Photo.count() == 20
    assert photos.DECODING.total == started + 20
    assert photos.DECODING.peak == photos.DECODING_AT_ONCE == 2
    assert photos.DECODING.now == 0
