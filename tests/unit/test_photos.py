"""Uploaded photos: what a phone sends comes out upright, small, and without a trace of where
it was taken; anything that is not a photo is refused in words a person understands."""

from __future__ import annotations

import io

import pytest
from litestar.datastructures import UploadFile
from PIL import ExifTags, Image, ImageFile

from civic.photos import service as photos
from civic.photos.service import BadPhoto
from civic.photos.tables import Photo


def phone_photo(
    size: tuple[int, int] = (3000, 4000), *, gps: bool = True, orientation: int = 1
) -> bytes:
    """A JPEG as a phone writes it: full of fine detail, with EXIF naming the phone, the time
    and (unless told not to) the place it was taken."""
    noise = Image.effect_noise(size, 40)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (noise, gradient, gradient.transpose(Image.Transpose.ROTATE_180)))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X"
    exif[ExifTags.Base.DateTime] = "2026:11:20 09:30:00"
    exif[ExifTags.Base.Orientation] = orientation
    if gps:
        place = exif.get_ifd(ExifTags.IFD.GPSInfo)
        place[ExifTags.GPS.GPSLatitudeRef] = "N"
        place[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
        place[ExifTags.GPS.GPSLongitudeRef] = "E"
        place[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 51.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_phone_photo_loses_its_exif_and_its_place():
    raw = phone_photo((1200, 900))
    before = opened(raw).getexif()
    assert before.get_ifd(ExifTags.IFD.GPSInfo)  # the upload does say where it was taken
    data, width, height = photos.reencode(raw)
    after = opened(data)
    assert after.format == "JPEG" and (after.width, after.height) == (width, height)
    assert not after.getexif() and not after.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(after.info)
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"2026:11:20" not in data


def test_a_big_photo_ends_small_enough_for_slow_data():
    raw = phone_photo((3000, 4000))
    assert len(raw) > 2 * 1024 * 1024
    data, width, height = photos.reencode(raw)
    assert len(data) <= photos.MAX_BYTES == 200 * 1024
    assert max(width, height) <= photos.MAX_SIDE == 1600
    assert (width, height) == (1200, 1600)  # the shape is kept


def test_a_photo_taken_sideways_is_stored_upright():
    raw = phone_photo((400, 300), orientation=6)  # the phone was held upright: turn 90°
    data, width, height = photos.reencode(raw)
    assert (width, height) == (300, 400)
    assert opened(data).size == (300, 400)


def test_a_transparent_png_is_laid_on_white():
    image = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    data, *_ = photos.reencode(out.getvalue())
    assert opened(data).getpixel((25, 20)) == (255, 255, 255)


@pytest.mark.parametrize(
    "raw",
    [
        b"this is not a photo, only text in a file named x.jpg\n",
        b"",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",  # a format we never decode
    ],
    ids=["text", "empty", "eps"],
)
def test_what_is_not_a_photo_is_refused_in_plain_words(raw):
    with pytest.raises(BadPhoto, match="这不是一张能打开的照片") as refused:
        photos.reencode(raw)
    assert refused.value.status_code == 422


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "after-a-pdf"])
def test_a_photo_cut_off_halfway_is_refused(monkeypatch, lenient):
    # Once WeasyPrint has rendered a PDF, Pillow decodes cut-off images as far as they go.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    raw = phone_photo((300, 200))
    with pytest.raises(BadPhoto, match=r"不完整|这不是一张能打开的照片"):
        photos.reencode(raw[: len(raw) // 2])
    png = io.BytesIO()
    Image.effect_noise((300, 200), 40).save(png, "PNG")
    with pytest.raises(BadPhoto):
        photos.reencode(png.getvalue()[: len(png.getvalue()) // 2])


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # a few KB that unpack to 100 megapixels
    assert len(out.getvalue()) < 100 * 1024
    with pytest.raises(BadPhoto, match="像素太多"):
        photos.reencode(out.getvalue())


async def test_an_upload_is_stored_and_loaded_back():
    upload = UploadFile("image/jpeg", "IMG_0001.JPG", phone_photo((2000, 1500)))
    photo_id = await photos.save_upload(upload)
    assert photo_id is not None
    photo = await photos.load(photo_id)
    assert photo is not None
    assert photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (1600, 1200)
    assert photo.size == len(photo.data) <= photos.MAX_BYTES
    assert not opened(photo.data).getexif()
    assert await photos.load(photo_id + 1) is None


async def test_no_file_chosen_stores_nothing():
    assert await photos.save_upload(None) is None
    assert await photos.save_upload(UploadFile("application/octet-stream", "x.jpg", b"")) is None
    with pytest.raises(BadPhoto):
        await photos.save_upload(UploadFile("image/jpeg", "x.jpg", b"hello"))
    assert await Photo.count() == 0
