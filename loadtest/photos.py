"""Distinct check-in photos at the cost of a byte join.

Every real check-in brings a new photo: a new SHA-256 and a perceptual hash
unlike anyone else's. Re-encoding a JPEG per request would cost the load
client more CPU than the server spends on it, so the photos are spliced
instead: a few variants of a fixture photo (each under a different coarse
pattern) are encoded once with a restart marker after every MCU row. The
entropy-coded rows between restart markers are independent (the DC
predictor restarts), so any row can come from any variant: a photo is the
shared header, one row per position from a randomly chosen variant, and the
end marker. The rows chosen change the 1/8-scale picture the server hashes,
so each photo is new to the reuse and near-duplicate checks.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT / "tests" / "fixtures" / "photos"
SMALL = PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
FULL = PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg"
_SOS = b"\xff\xda"
_EOI = b"\xff\xd9"


@dataclass(frozen=True)
class SplicedPhoto:
    """Header, the rows of each variant, and the end marker."""

    header: bytes
    rows: list[list[bytes]]  # rows[position][variant]

    def make(self, rng: random.Random) -> bytes:
        width = len(self.rows[0])
        return b"".join(
            [self.header, *(row[rng.randrange(width)] for row in self.rows), _EOI]
        )

    @property
    def typical_size(self) -> int:
        return len(self.header) + sum(len(row[0]) for row in self.rows) + 2


def _split(data: bytes) -> tuple[bytes, list[bytes]]:
    """The bytes up to the scan data, and the scan cut after each RSTn."""
    sos = data.index(_SOS)
    scan_start = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    scan = data[scan_start : data.rindex(_EOI)]
    rows: list[bytes] = []
    start = 0
    position = 0
    while True:
        marker = scan.find(b"\xff", position)
        if marker < 0:
            rows.append(scan[start:])
            break
        following = scan[marker + 1]
        if 0xD0 <= following <= 0xD7:  # RSTn ends a row
            rows.append(scan[start : marker + 2])
            start = position = marker + 2
        else:  # a stuffed 0xFF00 inside the entropy-coded data
            position = marker + 2
    return data[:scan_start], rows


def spliced(
    source: Path, *, variants: int = 12, seed: int = 2026, max_side: int | None = None
) -> SplicedPhoto:
    """Encode ``variants`` versions of ``source`` that can be spliced by row."""
    rng = random.Random(seed)
    with Image.open(source) as opened:
        exif = opened.info.get("exif", b"")
        base = opened.convert("RGB")
    if max_side and max(base.size) > max_side:
        base.thumbnail((max_side, max_side))
    headers: set[bytes] = set()
    encoded: list[list[bytes]] = []
    for _ in range(variants):
        # A 9x8 grid of random shades (the server's hash grid), blended in.
        blocks = Image.new("L", (9, 8))
        blocks.putdata([rng.randrange(256) for _ in range(72)])
        pattern = blocks.resize(base.size, Image.Resampling.BICUBIC).convert("RGB")
        out = io.BytesIO()
        Image.blend(base, pattern, 0.45).save(
            out,
            "JPEG",
            quality=85,
            subsampling="4:2:0",
            restart_marker_rows=1,
            # EXIF stays (it is parsed on every check-in) without its capture
            # time, so no photo looks older than its check-in.
            exif=_without_time(exif),
        )
        header, rows = _split(out.getvalue())
        headers.add(header)
        encoded.append(rows)
    if len(headers) != 1 or len({len(rows) for rows in encoded}) != 1:
        raise RuntimeError(f"{source.name}: the variants do not share one layout")
    return SplicedPhoto(
        header=headers.pop(), rows=[list(r) for r in zip(*encoded, strict=True)]
    )


def _without_time(exif: bytes) -> bytes:
    if not exif:
        return b""
    data = Image.Exif()
    data.load(exif)
    for tag in (0x0132,):  # DateTime
        data.pop(tag, None)
    sub = data.get_ifd(0x8769)
    for tag in (0x9003, 0x9004, 0x9010, 0x9011):  # DateTimeOriginal/Digitized, offsets
        sub.pop(tag, None)
    data.pop(0x8825, None)  # GPS
    return data.tobytes()
