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
_HASH_ROWS = 8


@dataclass(frozen=True)
class SplicedPhoto:
    """Header, the rows of each variant, and the end marker."""

    header: bytes
    rows: list[list[bytes]]  # rows[position][variant]

    def make(self, rng: random.Random) -> bytes:
        """A new photo: each eighth of the picture (a row of the server's
        hash grid) from one variant, and one row in ten from any variant,
        so both hashes differ from every other photo's."""
        width = len(self.rows[0])
        bands = [rng.randrange(width) for _ in range(_HASH_ROWS)]
        count = len(self.rows)
        chosen = [
            row[rng.randrange(width)]
            if rng.random() < 0.1
            else row[bands[number * _HASH_ROWS // count]]
            for number, row in enumerate(self.rows)
        ]
        return b"".join([self.header, *chosen, _EOI])

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
    source: Path,
    *,
    variants: int = 12,
    seed: int = 2026,
    quality: int = 85,
    blend: float = 0.45,
) -> SplicedPhoto:
    """Encode ``variants`` versions of ``source`` that can be spliced by row."""
    rng = random.Random(seed)
    with Image.open(source) as opened:
        exif = opened.info.get("exif", b"")
        base = opened.convert("RGB")
    headers: set[bytes] = set()
    encoded: list[list[bytes]] = []
    for _ in range(variants):
        # A 9x8 grid of random shades (the server's hash grid), blended in.
        blocks = Image.new("L", (9, 8))
        blocks.putdata([rng.randrange(256) for _ in range(72)])
        pattern = blocks.resize(base.size, Image.Resampling.BICUBIC).convert("RGB")
        out = io.BytesIO()
        Image.blend(base, pattern, blend).save(
            out,
            "JPEG",
            quality=quality,
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
