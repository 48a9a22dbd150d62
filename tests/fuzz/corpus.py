"""Malformed and odd images, made at test time from the real fixture photos.

Each entry is a name, the bytes, the file name the client claims and what
the API must do with it: ``refuse`` (a 4xx JSON answer, nothing written) or
``accept`` (stored, and served as a clean upright JPEG). Nothing here is
committed as a binary: every file is derived from tests/fixtures/photos.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

PHOTOS = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
BASE = "mobile_HMD_Nokia_8.3_5G_1280.jpg"

Outcome = Literal["accept", "refuse"]

# Payloads a polyglot carries after the image; the served copy must not.
ZIP_PAYLOAD = b"PK\x03\x04" + b"\x14\x00" * 8 + b"evil.php" + b"PK\x05\x06" + bytes(18)
HTML_PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
PHP_PAYLOAD = b"<?php system($_GET['c']); ?>"
MARKERS = (b"PK\x03\x04", b"<script>", b"<?php")


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    filename: str
    outcome: Outcome
    # The status of a refusal (400 damaged/empty/too many pixels, 415 not a
    # photo); None for accepted samples.
    status: int | None = None


@functools.cache
def _base() -> Image.Image:
    with Image.open(PHOTOS / BASE) as image:
        image = image.convert("RGB")
        image.thumbnail((320, 320))
        return image.copy()


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _jpeg() -> bytes:
    return _encode(_base(), "JPEG", quality=85)


def _with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """Insert an APP1 (EXIF) segment right after SOI."""
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def _exif_loop() -> bytes:
    """IFD0 points to itself as its next IFD, as its EXIF IFD and as its GPS
    IFD: a naive parser loops for ever."""
    entries = [
        (0x8769, 4, 1, 8),  # ExifIFD -> IFD0
        (0x8825, 4, 1, 8),  # GPSInfo -> IFD0
        (0x0112, 3, 1, 6 << 16),  # Orientation 6 (SHORT, left-justified)
    ]
    ifd = struct.pack(">H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack(">HHII", tag, kind, count, value)
    ifd += struct.pack(">I", 8)  # next IFD: itself
    tiff = b"MM\x00*" + struct.pack(">I", 8) + ifd
    return _with_app1(_jpeg(), b"Exif\x00\x00" + tiff)


def _exif_huge() -> bytes:
    """A full 64 KB EXIF segment whose IFD claims 65535 entries, one of them
    a Make string of two gigabytes at an offset far past the end."""
    ifd = struct.pack(">H", 0xFFFF)
    ifd += struct.pack(">HHII", 0x010F, 2, 0x7FFFFFFF, 0x7FFFFFF0)
    ifd += struct.pack(">HHII", 0x0110, 2, 0xFFFFFFFF, 0xFFFFFFF0)
    tiff = b"MM\x00*" + struct.pack(">I", 8) + ifd
    payload = b"Exif\x00\x00" + tiff
    payload += b"\xff" * (65533 - len(payload))
    return _with_app1(_jpeg(), payload)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png_bomb() -> bytes:
    """A PNG header declaring 100,000 x 100,000 pixels (10 gigapixels)."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_bomb() -> bytes:
    """The base JPEG with its frame header claiming 65,000 x 65,000 pixels."""
    data = bytearray(_jpeg())
    index = 2
    while index < len(data):
        marker, length = (
            data[index + 1],
            struct.unpack(">H", data[index + 2 : index + 4])[0],
        )
        if marker in (0xC0, 0xC1, 0xC2):
            data[index + 5 : index + 9] = struct.pack(">HH", 65_000, 65_000)
            return bytes(data)
        index += 2 + length
    raise AssertionError("no SOF marker in the base JPEG")


def _heic() -> bytes:
    return (PHOTOS / "mobile_iphone_13_pro_max.HEIC").read_bytes()


def _animated_webp() -> bytes:
    frames = [_base().rotate(angle) for angle in (0, 90, 180)]
    return _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:])


def _gif() -> bytes:
    frames = [_base().convert("P"), _base().rotate(180).convert("P")]
    return _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])


def _tiff() -> bytes:
    frames = [_base(), _base().rotate(180)]
    return _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])


def _sixteen_bit_png() -> bytes:
    grey = _base().convert("L")
    wide = Image.new("I;16", grey.size)
    wide.putdata([value * 257 for value in grey.tobytes()])  # one byte a pixel
    return _encode(wide, "PNG")


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
    b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>'
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def samples() -> list[Sample]:
    jpeg = _jpeg()
    png = _encode(_base(), "PNG")
    webp = _encode(_base(), "WEBP", quality=80)
    heic = _heic()
    wrong_magic = b"\x00\x00\x00\x00" + jpeg[4:]
    png_magic_jpeg_body = b"\x89PNG\r\n\x1a\n" + jpeg[2:]
    return [
        Sample("truncated_jpeg", jpeg[: len(jpeg) // 2], "a.jpg", "refuse", 400),
        Sample("truncated_png", png[: len(png) // 2], "a.png", "refuse", 400),
        # Without its end chunk and last checksums libpng still decodes it.
        Sample("png_without_its_last_bytes", png[:-20], "a.png", "refuse", 400),
        Sample("truncated_webp", webp[: len(webp) // 2], "a.webp", "refuse", 400),
        Sample("truncated_heic", heic[: len(heic) // 2], "a.heic", "refuse", 400),
        Sample("header_only_jpeg", jpeg[:200], "a.jpg", "refuse", 400),
        Sample("wrong_magic", wrong_magic, "a.jpg", "refuse", 415),
        Sample("png_magic_jpeg_body", png_magic_jpeg_body, "a.png", "refuse", 400),
        Sample("zero_bytes", b"", "a.jpg", "refuse", 400),
        Sample("svg", SVG, "a.svg", "refuse", 415),
        Sample("svg_named_jpg", SVG, "a.jpg", "refuse", 415),
        Sample("pdf_named_jpg", PDF, "a.jpg", "refuse", 415),
        Sample("html_named_jpg", HTML_PAYLOAD, "a.jpg", "refuse", 415),
        Sample("multi_frame_gif", _gif(), "a.gif", "refuse", 415),
        Sample("multi_frame_tiff", _tiff(), "a.tif", "refuse", 415),
        Sample("png_bomb_by_header", _png_bomb(), "a.png", "refuse", 400),
        Sample("jpeg_bomb_by_header", _jpeg_bomb(), "a.jpg", "refuse", 400),
        Sample("polyglot_jpeg_zip", jpeg + ZIP_PAYLOAD, "a.jpg", "accept"),
        Sample("polyglot_jpeg_html", jpeg + HTML_PAYLOAD, "a.jpg", "accept"),
        Sample("polyglot_jpeg_php", jpeg + PHP_PAYLOAD, "a.php.jpg", "accept"),
        Sample("exif_self_referencing_ifd", _exif_loop(), "a.jpg", "accept"),
        Sample("exif_huge", _exif_huge(), "a.jpg", "accept"),
        Sample(
            "cmyk_jpeg", _encode(_base().convert("CMYK"), "JPEG"), "a.jpg", "accept"
        ),
        Sample("png_16_bit", _sixteen_bit_png(), "a.png", "accept"),
        Sample("png_palette", _encode(_base().convert("P"), "PNG"), "a.png", "accept"),
        Sample("png_la", _encode(_base().convert("LA"), "PNG"), "a.png", "accept"),
        Sample("animated_webp", _animated_webp(), "a.webp", "accept"),
        Sample("heic_named_jpg", heic, "a.jpg", "accept"),
    ]
