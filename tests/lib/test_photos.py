"""The photo evidence library: what is accepted, what is read, what is served."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import warnings
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageCms, ImageFile, ImageOps, ImageStat
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational

from backend.lib.photos import (
    ExifFacts,
    PhotoFacts,
    PhotoRejected,
    hamming_distance,
    inspect_photo,
    render_display_copy,
    render_thumbnail,
)
from tests.stack import ROOT

PHOTOS = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
NOKIA = PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg"
NOKIA_1280 = PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
NIKON_GPS = PHOTOS / "gps_DSCN0010.jpg"
IPHONE = PHOTOS / "mobile_iphone_13_pro_max.HEIC"
JOLLA = PHOTOS / "mobile_jolla.jpg"
SIDEWAYS = PHOTOS / "orientation_portrait_6.jpg"
CORRUPTED = PHOTOS / "corrupted.jpg"

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000


def facts_of(data: Any, **limits: int) -> PhotoFacts:
    return inspect_photo(
        data,
        max_bytes=limits.get("max_bytes", MAX_BYTES),
        max_pixels=limits.get("max_pixels", MAX_PIXELS),
    )


def rejection(data: Any, **limits: int) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        facts_of(data, **limits)
    assert caught.value.message
    return caught.value


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def nikon_image() -> Image.Image:
    with Image.open(NIKON_GPS) as image:
        image.load()
        return image


def png(
    width: int, height: int, idat: bytes, *, depth: int = 8, colour: int = 0
) -> bytes:
    """A PNG written by hand, so that it can declare any size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def jpeg_with_app1(payload: bytes) -> bytes:
    """A small JPEG with ``payload`` as its APP1 (EXIF) segment, verbatim."""
    plain = encode(Image.new("RGB", (64, 48), "olive"), "JPEG")
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return plain[:2] + segment + plain[2:]


def tiff_ifd(entries: list[tuple[int, int, int, int]], next_ifd: int = 0) -> bytes:
    """A little-endian TIFF IFD of (tag, type, count, value-or-offset)."""
    body = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack("<HHII", tag, kind, count, value)
    return body + struct.pack("<I", next_ifd)


def ascii4(text: bytes) -> int:
    return int.from_bytes(text.ljust(4, b"\x00"), "little")


def jpeg_with_exif(
    gps: dict[int, Any] | None = None, exif_ifd: dict[int, Any] | None = None
) -> bytes:
    exif = Image.Exif()
    if gps is not None:
        exif[IFD.GPSInfo] = gps
    if exif_ifd is not None:
        exif[IFD.Exif] = exif_ifd
    return encode(Image.new("RGB", (64, 48), "teal"), "JPEG", exif=exif)


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB").resize(a.size))
    return sum(ImageStat.Stat(diff).mean) / 3


# --- formats, by content -------------------------------------------------------


def test_it_accepts_a_phone_jpeg_and_reports_its_facts() -> None:
    data = NOKIA.read_bytes()
    facts = facts_of(data)
    assert (facts.format, facts.mime_type, facts.extension) == (
        "jpeg",
        "image/jpeg",
        "jpg",
    )
    assert (facts.width, facts.height) == (4608, 1976)
    assert (facts.upright_width, facts.upright_height) == (4608, 1976)
    assert facts.size_bytes == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert len(facts.phash) == 16
    int(facts.phash, 16)


def test_it_accepts_an_iphone_heic_upright() -> None:
    facts = facts_of(IPHONE.read_bytes())
    assert (facts.format, facts.mime_type, facts.extension) == (
        "heif",
        "image/heic",
        "heic",
    )
    # The file stores 4032x3024 with a rotation that libheif applies itself,
    # so the decoded pixels are already upright and nothing is left to do.
    assert (facts.width, facts.height) == (3024, 4032)
    assert (facts.upright_width, facts.upright_height) == (3024, 4032)
    assert facts.exif.orientation == 1
    assert (facts.exif.make, facts.exif.model) == ("Apple", "iPhone 13 Pro Max")
    assert facts.exif.taken_at == datetime(
        2022, 2, 16, 12, 55, 41, tzinfo=timezone(timedelta(hours=1))
    )
    assert facts.exif.latitude is None


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "png"), ("WEBP", "webp")])
def test_it_accepts_png_and_webp_and_reads_their_exif(fmt: str, name: str) -> None:
    image = nikon_image()
    facts = facts_of(encode(image, fmt, exif=image.getexif()))
    assert facts.format == name
    assert facts.mime_type == f"image/{name}"
    assert (facts.width, facts.height) == (640, 480)
    assert facts.exif.latitude == pytest.approx(43.4674, abs=1e-3)
    assert facts.exif.longitude == pytest.approx(11.8851, abs=1e-3)


def test_the_content_decides_not_the_file_name() -> None:
    photo = io.BytesIO(NOKIA_1280.read_bytes())
    photo.name = "notes.txt"
    assert facts_of(photo).format == "jpeg"

    text = io.BytesIO(b"Dear Sir, this is a photo of me at the office.\n")
    text.name = "selfie.jpg"
    assert rejection(text).status == 415


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n", id="pdf"),
        pytest.param(b"just some text pretending to be a photo", id="text"),
        pytest.param(encode(Image.new("P", (20, 20)), "GIF"), id="gif"),
        pytest.param(encode(Image.new("RGB", (20, 20)), "BMP"), id="bmp"),
        pytest.param(encode(Image.new("RGB", (20, 20)), "TIFF"), id="tiff"),
        pytest.param(
            b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64,
            id="avif",
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64,
            id="mp4",
        ),
        pytest.param(b"PK\x03\x04" + b"\x00" * 64, id="zip"),
    ],
)
def test_anything_but_jpeg_png_webp_heic_is_refused_with_415(data: bytes) -> None:
    rejected = rejection(data)
    assert (rejected.status, rejected.code) == (415, "unsupported_media_type")


# --- limits ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", io.BytesIO(b"")], ids=["bytes", "stream"])
def test_an_empty_upload_is_a_400(data: Any) -> None:
    rejected = rejection(data)
    assert (rejected.status, rejected.code) == (400, "empty_file")


def test_an_upload_over_the_byte_limit_is_a_413_without_reading_it_all() -> None:
    data = NOKIA_1280.read_bytes()
    stream = io.BytesIO(data)
    rejected = rejection(stream, max_bytes=len(data) - 1)
    assert (rejected.status, rejected.code) == (413, "too_large")
    assert stream.tell() == len(data)  # the cap plus one byte, no more

    assert facts_of(data, max_bytes=len(data)).size_bytes == len(data)


def test_a_png_declaring_a_huge_size_is_refused_before_decoding() -> None:
    bomb = png(100_000, 100_000, zlib.compress(b"\x00" * 1000))
    assert len(bomb) < 200
    rejected = rejection(bomb)
    assert (rejected.status, rejected.code) == (400, "too_many_pixels")
    assert "60" in rejected.message


def test_a_real_big_but_small_file_image_is_refused_by_the_pixel_cap() -> None:
    # 10000x10000 of one colour: 100 MP, yet a 12 KB file (1-bit greyscale).
    row = b"\x00" + b"\x00" * (10_000 // 8)
    bomb = png(10_000, 10_000, zlib.compress(row * 10_000, 9), depth=1)
    assert len(bomb) < 100_000
    with warnings.catch_warnings():
        # 100 MP is also past Pillow's own warning threshold (89 MP): our
        # refusal must come first, with no Pillow warning on the way.
        warnings.simplefilter("error")
        rejected = rejection(bomb)
    assert (rejected.status, rejected.code) == (400, "too_many_pixels")
    assert (
        facts_of(png(100, 100, zlib.compress((b"\x00" + b"\x00" * 13) * 100), depth=1))
    ).format == "png"


def test_a_real_photo_over_a_low_pixel_cap_is_a_400() -> None:
    rejected = rejection(JOLLA.read_bytes(), max_pixels=5_000_000)  # 3264x2448
    assert (rejected.status, rejected.code) == (400, "too_many_pixels")
    assert "3264" in rejected.message and "2448" in rejected.message


def test_pillows_own_bomb_limit_never_surfaces(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that;
    # the caller's max_pixels is the only limit, and its refusal our 400.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = NOKIA_1280.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert facts_of(data).width == 1280
        rejected = rejection(data, max_pixels=500_000)
    assert (rejected.status, rejected.code) == (400, "too_many_pixels")


# --- damaged files --------------------------------------------------------------


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda size: size // 2, id="half"),
        pytest.param(lambda size: size - 2, id="without-end-marker"),
        pytest.param(lambda size: 600, id="headers-only"),
        pytest.param(lambda size: 3, id="magic-only"),
    ],
)
def test_a_truncated_jpeg_is_a_400(cut: Any) -> None:
    data = NOKIA.read_bytes()
    rejected = rejection(data[: cut(len(data))])
    assert (rejected.status, rejected.code) == (400, "damaged_image")


def test_a_truncated_heic_is_a_400() -> None:
    # libheif decodes a cut-off HEIC into garbage without complaint; the box
    # sizes give the truncation away.
    data = IPHONE.read_bytes()
    rejected = rejection(data[: len(data) // 2])
    assert (rejected.status, rejected.code) == (400, "damaged_image")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_truncated_png_or_webp_is_a_400(fmt: str) -> None:
    data = encode(nikon_image(), fmt)
    rejected = rejection(data[: len(data) // 2])
    assert (rejected.status, rejected.code) == (400, "damaged_image")


@pytest.mark.parametrize("cut", [1, 4, 12, 13, 20, 22])
def test_a_png_cut_anywhere_near_its_end_is_a_400(cut: int) -> None:
    # Without the last bytes (the end chunk, the last checksums, the tail of
    # the compressed pixels) libpng still decodes the picture.
    data = encode(nikon_image(), "PNG")
    rejected = rejection(data[:-cut])
    assert (rejected.status, rejected.code) == (400, "damaged_image")


def test_a_whole_png_with_bytes_after_its_end_is_accepted() -> None:
    data = encode(nikon_image(), "PNG")
    assert facts_of(data + b"trailing bytes").format == "png"


def test_a_png_with_a_broken_header_checksum_is_a_400() -> None:
    data = bytearray(encode(nikon_image(), "PNG"))
    data[29] ^= 0xFF  # inside the IHDR CRC
    rejected = rejection(bytes(data))
    assert (rejected.status, rejected.code) == (400, "damaged_image")


def test_the_damaged_fixture_is_stored_or_refused_with_a_clear_error(
    tmp_path: Path,
) -> None:
    try:
        facts = facts_of(CORRUPTED.read_bytes())
    except PhotoRejected as rejected:
        assert (rejected.status, rejected.code) == (400, "damaged_image")
        return
    # Its damage is inside the scan data, which libjpeg decodes with no
    # error: the photo is kept, and its copies can be made.
    assert (facts.width, facts.height) == (3648, 2736)
    assert render_thumbnail(CORRUPTED, tmp_path / "thumb.jpg") == (320, 240)


# --- EXIF -----------------------------------------------------------------------


def test_it_reads_gps_time_and_camera_from_a_nikon_photo() -> None:
    exif = facts_of(NIKON_GPS.read_bytes()).exif
    assert exif.latitude == pytest.approx(43.4674, abs=1e-3)
    assert exif.longitude == pytest.approx(11.8851, abs=1e-3)
    # No OffsetTimeOriginal: the camera's wall clock, left naive.
    assert exif.taken_at == datetime(2008, 10, 22, 16, 28, 39)  # noqa: DTZ001
    assert (exif.make, exif.model) == ("NIKON", "COOLPIX P6000")
    assert exif.orientation == 1


def test_it_reads_gps_and_an_aware_capture_time_from_a_phone_photo() -> None:
    exif = facts_of(NOKIA.read_bytes()).exif
    assert exif.latitude == pytest.approx(60.1467, abs=1e-3)
    assert exif.longitude == pytest.approx(24.9068, abs=1e-3)
    assert exif.taken_at == datetime(
        2022, 8, 14, 14, 12, 31, tzinfo=timezone(timedelta(hours=3))
    )
    assert exif.taken_at is not None
    assert exif.taken_at.utcoffset() == timedelta(hours=3)
    assert (exif.make, exif.model) == ("HMD Global", "Nokia 8.3 5G")


def test_a_photo_without_gps_has_no_position() -> None:
    exif = facts_of(JOLLA.read_bytes()).exif
    assert (exif.latitude, exif.longitude) == (None, None)
    assert exif.taken_at == datetime(2014, 9, 21, 16, 0, 56)  # noqa: DTZ001
    assert exif.make == "Jolla"


def test_a_photo_without_exif_has_only_missing_facts() -> None:
    facts = facts_of(encode(nikon_image(), "JPEG"))
    assert facts.exif == ExifFacts()


def test_south_and_west_references_make_coordinates_negative() -> None:
    # Jakarta: south of the equator, as much of Indonesia is.
    exif = facts_of(
        jpeg_with_exif(
            gps={
                GPS.GPSLatitudeRef: "S",
                GPS.GPSLatitude: (6.0, 12.0, 36.0),
                GPS.GPSLongitudeRef: "W",
                GPS.GPSLongitude: (106.0, 49.0, 12.0),
            }
        )
    ).exif
    assert exif.latitude == pytest.approx(-6.21)
    assert exif.longitude == pytest.approx(-106.82)


GOOD_LONGITUDE = {GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: (101.0, 27.0, 0.0)}


@pytest.mark.parametrize(
    "gps",
    [
        pytest.param(
            {
                GPS.GPSLatitudeRef: "N",
                GPS.GPSLatitude: (IFDRational(6, 0), 12.0, 30.0),
                **GOOD_LONGITUDE,
            },
            id="zero-denominator",
        ),
        pytest.param(
            {GPS.GPSLatitude: (0.0, 30.0, 0.0), **GOOD_LONGITUDE},
            id="missing-reference",
        ),
        pytest.param(
            {
                GPS.GPSLatitudeRef: "X",
                GPS.GPSLatitude: (0.0, 30.0, 0.0),
                **GOOD_LONGITUDE,
            },
            id="unknown-reference",
        ),
        pytest.param(
            {
                GPS.GPSLatitudeRef: "N",
                GPS.GPSLatitude: (95.0, 0.0, 0.0),
                **GOOD_LONGITUDE,
            },
            id="beyond-the-pole",
        ),
        pytest.param(
            {
                GPS.GPSLatitudeRef: "N",
                GPS.GPSLatitude: (0.0, 75.0, 0.0),
                **GOOD_LONGITUDE,
            },
            id="75-minutes",
        ),
        pytest.param(
            {
                GPS.GPSLatitudeRef: "N",
                GPS.GPSLatitude: (0.0, 0.0, 0.0),
                GPS.GPSLongitudeRef: "E",
                GPS.GPSLongitude: (0.0, 0.0, 0.0),
            },
            id="null-island",
        ),
        pytest.param({GPS.GPSLatitudeRef: "N", **GOOD_LONGITUDE}, id="no-latitude"),
    ],
)
def test_unusable_gps_is_a_missing_position(gps: dict[int, Any]) -> None:
    exif = facts_of(jpeg_with_exif(gps=gps)).exif
    assert (exif.latitude, exif.longitude) == (None, None)


WIB = timezone(timedelta(hours=7))
NEWFOUNDLAND = timezone(-timedelta(hours=3, minutes=30))
MORNING = (2026, 11, 25, 7, 20, 5)
WALL_CLOCK = datetime(*MORNING)  # noqa: DTZ001 - EXIF without an offset is naive


@pytest.mark.parametrize(
    ("original", "offset", "expected"),
    [
        ("2026:11:25 07:20:05", "+07:00", datetime(*MORNING, tzinfo=WIB)),
        ("2026:11:25 07:20:05", "-03:30", datetime(*MORNING, tzinfo=NEWFOUNDLAND)),
        ("2026:11:25 07:20:05\x00", None, WALL_CLOCK),
        ("2026:11:25 07:20:05", "+99:00", WALL_CLOCK),
        ("0000:00:00 00:00:00", "+07:00", None),
        ("    :  :     :  :  ", None, None),
        ("2026:02:30 07:20:05", None, None),
        ("yesterday", None, None),
        # Years no camera wrote, at the ends of the calendar: unknown.
        ("0001:01:01 00:00:00", "+14:00", None),
        ("9999:12:31 23:59:59", "-12:00", None),
        ("1899:12:31 23:59:59", None, None),
    ],
)
def test_capture_time_comes_from_date_time_original_and_its_offset(
    original: str, offset: str | None, expected: datetime | None
) -> None:
    tags: dict[int, Any] = {Base.DateTimeOriginal: original}
    if offset is not None:
        tags[Base.OffsetTimeOriginal] = offset
    assert facts_of(jpeg_with_exif(exif_ifd=tags)).exif.taken_at == expected


@pytest.mark.parametrize(
    ("original_offset", "offset", "expected"),
    [
        (None, "+07:00", datetime(*MORNING, tzinfo=WIB)),
        ("-03:30", "+07:00", datetime(*MORNING, tzinfo=NEWFOUNDLAND)),
        ("+99:00", "+07:00", datetime(*MORNING, tzinfo=WIB)),
        (None, "nonsense", WALL_CLOCK),
    ],
)
def test_offset_time_stands_in_for_a_missing_offset_time_original(
    original_offset: str | None, offset: str, expected: datetime
) -> None:
    tags: dict[int, Any] = {
        Base.DateTimeOriginal: "2026:11:25 07:20:05",
        Base.OffsetTime: offset,
    }
    if original_offset is not None:
        tags[Base.OffsetTimeOriginal] = original_offset
    assert facts_of(jpeg_with_exif(exif_ifd=tags)).exif.taken_at == expected


def _exif_loop() -> bytes:
    # IFD0 points its Exif and GPS sub-IFDs, and its next IFD, at itself.
    ifd0 = tiff_ifd([(0x8769, 4, 1, 8), (0x8825, 4, 1, 8)], next_ifd=8)
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd0


def _exif_wrong_types() -> bytes:
    # GPS latitude as text, longitude rationals far past the end of the
    # block, make as a number, orientation 99.
    ifd0 = tiff_ifd([(0x8825, 4, 1, 50), (0x010F, 4, 1, 7), (0x0112, 3, 1, 99)])
    gps = tiff_ifd(
        [
            (1, 2, 2, ascii4(b"N")),
            (2, 2, 4, ascii4(b"abc")),
            (3, 2, 2, ascii4(b"E")),
            (4, 5, 3, 100_000),
        ]
    )
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd0 + gps


# Pillow reports what it skipped; skipping it is exactly what should happen.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_exif_loop(), id="loop"),
        pytest.param(_exif_wrong_types(), id="wrong-types"),
        pytest.param(b"Exif\x00\x00II*\x00\xff\xff\xff\x7f", id="ifd-past-the-end"),
        pytest.param(b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff", id="huge-count"),
        pytest.param(b"Exif\x00\x00MM\x00*", id="cut-header"),
        pytest.param(b"Exif\x00\x00" + bytes(range(256)) * 8, id="noise"),
        pytest.param(b"Exif\x00\x00", id="empty"),
    ],
)
def test_garbage_exif_never_raises_and_only_loses_facts(payload: bytes) -> None:
    facts = facts_of(jpeg_with_app1(payload))
    assert facts.format == "jpeg"
    assert facts.exif.latitude is None
    assert facts.exif.taken_at is None
    assert facts.exif.orientation in (None, 1)
    assert facts.exif.make is None


def test_broken_exif_leaves_nothing_in_a_worker_s_log() -> None:
    # In a process of its own, as a worker: pytest's warning capture sets
    # its own filters around every test.
    script = (
        "import django; django.setup()\n"
        "from backend.lib.photos import inspect_photo\n"
        "from tests.fuzz.corpus import _exif_huge\n"
        "facts = inspect_photo(_exif_huge(), max_bytes=10**7, max_pixels=10**8)\n"
        "assert facts.exif.make is None\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "SECRET_KEY": "test-secret-key-for-a-child-process-0123456789",
    }
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr


# --- hashes ---------------------------------------------------------------------


def test_sha256_is_of_the_exact_bytes_received() -> None:
    data = NIKON_GPS.read_bytes() + b"trailing bytes are part of the evidence"
    assert facts_of(data).sha256 == hashlib.sha256(data).hexdigest()


def test_a_downsized_copy_is_a_near_duplicate_of_the_original() -> None:
    original = facts_of(NOKIA.read_bytes()).phash
    shrunk = facts_of(NOKIA_1280.read_bytes()).phash
    assert hamming_distance(original, shrunk) <= 6


def test_different_photos_are_far_apart() -> None:
    hashes = [
        facts_of(path.read_bytes()).phash for path in (NOKIA, JOLLA, NIKON_GPS, IPHONE)
    ]
    for i, first in enumerate(hashes):
        for second in hashes[i + 1 :]:
            assert hamming_distance(first, second) > 20


def test_a_rotated_reupload_matches_because_the_hash_is_of_the_upright_image() -> None:
    tagged = facts_of(SIDEWAYS.read_bytes())
    with Image.open(SIDEWAYS) as image:
        rotated = encode(ImageOps.exif_transpose(image), "JPEG", quality=90)
    reupload = facts_of(rotated)
    assert reupload.exif.orientation is None
    assert hamming_distance(tagged.phash, reupload.phash) <= 6


def test_hamming_distance_counts_differing_bits() -> None:
    assert hamming_distance("0" * 16, "f" * 16) == 64
    assert hamming_distance("00000000000000a0", "0000000000000080") == 1
    assert hamming_distance("0123456789abcdef", "0123456789ABCDEF") == 0


# --- copies people are shown ---------------------------------------------------


def test_the_thumbnail_of_an_orientation_6_photo_is_upright(tmp_path: Path) -> None:
    # The fixture stores 600x450 pixels lying on their side (its labels say
    # "top" on the left); Orientation 6 makes it a 450x600 portrait.
    facts = facts_of(SIDEWAYS.read_bytes())
    assert (facts.width, facts.height, facts.exif.orientation) == (600, 450, 6)
    assert (facts.upright_width, facts.upright_height) == (450, 600)

    assert render_thumbnail(SIDEWAYS, tmp_path / "t.jpg") == (240, 320)
    with Image.open(tmp_path / "t.jpg") as thumb, Image.open(SIDEWAYS) as original:
        # Its pixels are tagged "Generic RGB Profile"; the copy is in sRGB.
        upright = ImageCms.profileToProfile(
            ImageOps.exif_transpose(original),
            ImageCms.ImageCmsProfile(io.BytesIO(original.info["icc_profile"])),
            ImageCms.createProfile("sRGB"),
        )
        assert upright is not None
        assert thumb.height > thumb.width
        right = mean_difference(thumb, upright)
        upside_down = mean_difference(
            thumb, upright.transpose(Image.Transpose.ROTATE_180)
        )
    assert right < 5
    assert upside_down > 4 * right


def test_copies_have_no_metadata_and_nothing_after_the_end_marker(
    tmp_path: Path,
) -> None:
    # A polyglot: a real photo with GPS, followed by a ZIP and an HTML page.
    payload = b"PK\x03\x04" + b"\x00" * 26 + b"<html><script>alert(1)</script></html>"
    source = tmp_path / "original.jpg"
    source.write_bytes(NIKON_GPS.read_bytes() + payload)
    assert facts_of(source.read_bytes()).exif.latitude is not None

    render_thumbnail(source, tmp_path / "thumb.jpg")
    render_display_copy(source, tmp_path / "display.jpg")
    for name in ("thumb.jpg", "display.jpg"):
        served = (tmp_path / name).read_bytes()
        assert served.endswith(b"\xff\xd9")
        assert served.count(b"\xff\xd9") == 1  # one image, nothing after it
        for marker in (b"PK\x03\x04", b"<html", b"Exif", b"ICC_PROFILE", b"xmp"):
            assert marker not in served
        assert b"\xff\xe1" not in served  # no APP1 segment at all
        with Image.open(tmp_path / name) as copy:
            assert not copy.getexif()
            assert not {"exif", "icc_profile", "xmp", "comment"} & copy.info.keys()
            assert copy.mode == "RGB"


GREEN = (40, 170, 60)
LOSSLESS_ENOUGH: dict[str, dict[str, Any]] = {
    "PNG": {},
    "JPEG": {"quality": 95},
    "WEBP": {"lossless": True},
    "HEIF": {"quality": 95},
}


def display_p3() -> bytes:
    with Image.open(IPHONE) as iphone:
        profile = iphone.info["icc_profile"]  # "Display P3", as iPhones tag
    assert isinstance(profile, bytes)
    return profile


def max_channel_difference(a: Any, b: Any) -> int:
    return max(abs(x - y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("fmt", list(LOSSLESS_ENOUGH))
def test_copies_of_a_display_p3_photo_show_its_colours_in_srgb(
    tmp_path: Path, fmt: str
) -> None:
    p3 = display_p3()
    source = tmp_path / "p3"
    source.write_bytes(
        encode(
            Image.new("RGB", (64, 48), GREEN),
            fmt,
            icc_profile=p3,
            **LOSSLESS_ENOUGH[fmt],
        )
    )
    srgb = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), GREEN),
        ImageCms.ImageCmsProfile(io.BytesIO(p3)),
        ImageCms.createProfile("sRGB"),
    )
    assert srgb is not None
    expected = srgb.getpixel((0, 0))
    assert max_channel_difference(expected, GREEN) > 20  # P3 green is greener
    for render in (render_thumbnail, render_display_copy):
        render(source, tmp_path / "copy.jpg")
        with Image.open(tmp_path / "copy.jpg") as copy:
            assert "icc_profile" not in copy.info  # read as sRGB by viewers
            assert max_channel_difference(copy.getpixel((32, 24)), expected) <= 4


def test_a_colour_profile_that_cannot_be_read_leaves_the_colours_alone(
    tmp_path: Path,
) -> None:
    source = tmp_path / "broken-profile.png"
    image = Image.new("RGB", (64, 48), GREEN)
    source.write_bytes(encode(image, "PNG", icc_profile=b"not a colour profile"))
    render_display_copy(source, tmp_path / "d.jpg")
    with Image.open(tmp_path / "d.jpg") as copy:
        assert "icc_profile" not in copy.info
        assert max_channel_difference(copy.getpixel((32, 24)), GREEN) <= 4


def test_copies_are_capped_and_never_enlarged(tmp_path: Path) -> None:
    assert render_thumbnail(NOKIA, tmp_path / "t.jpg") == (320, 137)
    assert render_display_copy(NOKIA, tmp_path / "d.jpg") == (1600, 686)
    assert render_display_copy(NIKON_GPS, tmp_path / "small.jpg") == (640, 480)
    with Image.open(tmp_path / "d.jpg") as display:
        assert display.size == (1600, 686)


def test_a_heic_gets_an_upright_jpeg_thumbnail(tmp_path: Path) -> None:
    assert render_thumbnail(IPHONE, tmp_path / "t.jpg") == (240, 320)
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.format == "JPEG"


def test_rendering_replaces_the_destination_atomically(tmp_path: Path) -> None:
    target = tmp_path / "derived" / "2026" / "t.jpg"  # directories made
    render_thumbnail(NIKON_GPS, target)
    target.write_bytes(b"stale")
    render_thumbnail(NIKON_GPS, target)
    assert target.read_bytes().startswith(b"\xff\xd8\xff")
    assert [p.name for p in target.parent.iterdir()] == ["t.jpg"]  # no temp left


def test_rendering_refuses_a_source_that_is_not_a_photo(tmp_path: Path) -> None:
    source = tmp_path / "x.jpg"
    source.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(PhotoRejected) as caught:
        render_display_copy(source, tmp_path / "d.jpg", max_pixels=MAX_PIXELS)
    assert caught.value.status == 415
    assert not (tmp_path / "d.jpg").exists()

    with pytest.raises(PhotoRejected) as caught:
        render_thumbnail(JOLLA, tmp_path / "t.jpg", max_pixels=1_000_000)
    assert caught.value.code == "too_many_pixels"


# --- unusual but legitimate images ---------------------------------------------


def test_a_cmyk_jpeg_is_accepted_and_thumbnailed_as_rgb(tmp_path: Path) -> None:
    image = nikon_image()
    source = tmp_path / "cmyk.jpg"
    source.write_bytes(encode(image.convert("CMYK"), "JPEG", quality=95))
    facts = facts_of(source.read_bytes())
    assert facts.format == "jpeg"
    assert hamming_distance(facts.phash, facts_of(NIKON_GPS.read_bytes()).phash) <= 6

    render_thumbnail(source, tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.mode == "RGB"
        assert mean_difference(thumb, image) < 8


def test_a_16_bit_png_is_scaled_down_not_clipped_to_white(tmp_path: Path) -> None:
    grey = nikon_image().convert("L")
    wide = grey.convert("I").point(lambda value: value * 257).convert("I;16")
    (tmp_path / "16bit.png").write_bytes(encode(wide, "PNG"))
    (tmp_path / "8bit.png").write_bytes(encode(grey, "PNG"))
    with Image.open(tmp_path / "16bit.png") as check:
        assert check.mode == "I;16"

    facts = facts_of((tmp_path / "16bit.png").read_bytes())
    assert facts.format == "png"
    assert facts.phash == facts_of((tmp_path / "8bit.png").read_bytes()).phash
    render_thumbnail(tmp_path / "16bit.png", tmp_path / "16.jpg")
    render_thumbnail(tmp_path / "8bit.png", tmp_path / "8.jpg")
    with (
        Image.open(tmp_path / "16.jpg") as wide_thumb,
        Image.open(tmp_path / "8.jpg") as thumb,
    ):
        assert mean_difference(wide_thumb, thumb) < 1


def test_an_animated_webp_gives_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "blue")]
    source = tmp_path / "animated.webp"
    source.write_bytes(
        encode(
            frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True
        )
    )
    assert facts_of(source.read_bytes()).format == "webp"
    render_thumbnail(source, tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        red, green, blue = thumb.getpixel((32, 24))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_onto_white(tmp_path: Path, mode: str) -> None:
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0)).convert(mode)
    params = {"transparency": 0} if mode == "P" else {}
    source = tmp_path / "clear.png"
    source.write_bytes(encode(image, "PNG", **params))
    assert facts_of(source.read_bytes()).format == "png"
    render_thumbnail(source, tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        darkest, _ = thumb.convert("L").getextrema()
    assert darkest > 245  # type: ignore[operator]


# --- the shape of the result ---------------------------------------------------


def test_facts_are_frozen_and_json_friendly() -> None:
    facts = facts_of(NOKIA_1280.read_bytes())
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.width = 1  # type: ignore[misc]
    as_dict = json.loads(json.dumps(facts.as_dict()))
    assert as_dict["format"] == "jpeg"
    assert as_dict["exif"]["taken_at"] == "2022-08-14T14:12:31+03:00"
    assert as_dict["exif"]["latitude"] == pytest.approx(60.1467, abs=1e-3)
    assert facts.exif_dict() == as_dict["exif"]


def test_a_rejection_carries_status_code_and_message() -> None:
    rejected = rejection(b"GIF89a" + b"\x00" * 20)
    assert isinstance(rejected, Exception)
    assert str(rejected) == rejected.message
    assert rejected.code == "unsupported_media_type"


def test_truncated_images_are_never_loaded_leniently() -> None:
    # Pillow's global switch would let truncated uploads through as grey.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def _counting_decoders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the bytes handed to each ``decode`` call of Pillow's decoders."""
    calls: list[int] = []
    real = Image._getdecoder

    class Counting:
        def __init__(self, decoder: Any) -> None:
            self._decoder = decoder

        def decode(self, data: bytes) -> Any:
            calls.append(len(data))
            return self._decoder.decode(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._decoder, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        return Counting(real(*args, **kwargs))

    monkeypatch.setattr(Image, "_getdecoder", counting)
    return calls


def test_a_photo_is_decoded_in_one_call_without_the_gil(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pillow's 64 KB pieces each had to win the GIL back in a busy server:
    the whole 2 MB photo goes to the decoder at once."""
    data = NOKIA.read_bytes()
    calls = _counting_decoders(monkeypatch)
    facts_of(data)
    assert len(data) > 30 * ImageFile.MAXBLOCK
    assert len(calls) == 1
    assert calls[0] >= len(data) - 65536  # all but the headers read first


def test_a_display_copy_is_decoded_in_one_call(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = _counting_decoders(monkeypatch)
    render_display_copy(NOKIA, tmp_path / "display.jpg")
    assert len(calls) == 1


def _every_sample() -> list[tuple[str, bytes]]:
    from tests.fuzz.corpus import samples

    photos = sorted(PHOTOS.glob("*.*"))
    return [
        (path.name, path.read_bytes())
        for path in photos
        if path.suffix.lower() in {".jpg", ".heic", ".png", ".webp"}
    ] + [(sample.name, sample.data) for sample in samples()]


@pytest.mark.parametrize(("name", "data"), _every_sample(), ids=lambda v: str(v)[:40])
def test_exif_read_tag_by_tag_gives_what_pillows_whole_ifds_give(
    name: str, data: bytes
) -> None:
    """The Exif and GPS sub-IFDs are decoded only for the tags the facts
    need; Pillow's ``get_ifd`` decodes them whole. Same facts, on every
    real photo and every hostile sample."""
    from backend.lib import photos

    try:
        _fmt, image = photos._open(data, None)
    except PhotoRejected:
        return
    with image, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = photos._read_exif(image)
        exif = photos._fact(image.getexif)
        if exif is None:
            position, taken_at = None, None
        else:
            position = photos._fact(
                lambda: photos._gps_position(exif.get_ifd(IFD.GPSInfo))
            )
            taken_at = photos._fact(
                lambda: photos._capture_time(exif.get_ifd(IFD.Exif))
            )
    assert (facts.latitude, facts.longitude) == (position or (None, None)), name
    assert facts.taken_at == taken_at, name


def test_a_phone_jpeg_s_exif_is_read_without_decoding_whole_ifds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The comparison above also holds if every photo fell back to
    ``get_ifd``: here the phone photos must not reach it at all."""

    def whole_ifd(self: Any, tag: int) -> Any:
        raise AssertionError(f"get_ifd({tag:#x}) was called")

    monkeypatch.setattr(Image.Exif, "get_ifd", whole_ifd)
    gps = facts_of(NIKON_GPS.read_bytes()).exif
    nokia = facts_of(NOKIA_1280.read_bytes()).exif
    assert gps.latitude is not None and gps.longitude is not None
    assert nokia.taken_at is not None and nokia.latitude is not None
