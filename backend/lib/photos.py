"""Photo evidence: check an upload, read its facts, render safe copies.

A check-in photo is evidence, so the original is kept byte for byte (and
identified by its SHA-256). It is also hostile input: anything a phone, or
somebody pretending to be one, can send. Hence:

- The format is decided by the bytes (magic numbers), never by the file name
  or the declared content type, and only JPEG, PNG, WebP and HEIC/HEIF are
  accepted.
- Size and pixel limits are checked before any pixel is decoded, and every
  failure is a ``PhotoRejected`` with an HTTP status, a stable code and a
  translated message. Decoder errors never escape as anything else.
- EXIF is read from the original (copies carry none) and malformed EXIF only
  means missing facts.
- What people are shown is re-encoded from pixels: upright, in sRGB,
  without EXIF or other metadata, without whatever was appended after the
  image (polyglot files). The original must never be served as it is.

The module is framework-free apart from ``gettext`` for the messages: limits
come in as arguments, so callers pass their settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import numbers
import os
import re
import secrets
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, Literal, Protocol, TypeVar

import pillow_heif
from django.utils.translation import gettext as _
from PIL import (
    Image,
    ImageCms,
    ImageFile,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)
from PIL.ExifTags import GPS, IFD, Base

from backend.lib import pixel_threads
from backend.lib.durable_files import storage_full_on_no_space
from backend.lib.refusals import UploadRejected

# Copies and hashes must come from the primary image: an embedded HEIF
# thumbnail is supplied by the client and could show something else.
pillow_heif.register_heif_opener(thumbnails=False)

PhotoFormat = Literal["jpeg", "png", "webp", "heif"]

_MIME_TYPES: Final[dict[PhotoFormat, tuple[str, str]]] = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "webp": ("image/webp", "webp"),
    # Only HEVC-coded HEIF is accepted (see _sniff), which is what image/heic
    # names; it is what iPhones send.
    "heif": ("image/heic", "heic"),
}

# The sniffed format picks the decoder class directly instead of letting
# Image.open guess. Besides never trying a format we did not accept, this
# skips Image.open's global decompression-bomb check (a warning above
# Image.MAX_IMAGE_PIXELS, an error above twice that): the caller's max_pixels
# is the one limit, enforced before decoding and reported as our own 400.
_DECODERS: Final[dict[PhotoFormat, type[ImageFile.ImageFile]]] = {
    "jpeg": JpegImagePlugin.JpegImageFile,
    "png": PngImagePlugin.PngImageFile,
    "webp": WebPImagePlugin.WebPImageFile,
    "heif": pillow_heif.HeifImageFile,
}

_HEVC_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
)

# Applied in this order, these make an image upright for each EXIF
# Orientation value; the same table as PIL.ImageOps.exif_transpose.
_UPRIGHT: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SIDEWAYS: Final = frozenset({5, 6, 7, 8})

_HASH_SIZE: Final = 8  # an 8x8 difference grid: a 64-bit hash
# Larger than any accepted upload (the size cap is checked before decoding).
_WHOLE_FILE: Final = 1 << 30
_JPEG_QUALITY: Final = 85
_SIXTEEN_BIT_GREY: Final = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I"})
_TEXT_LIMIT: Final = 100

_EXIF_DATETIME: Final = re.compile(
    r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})"
)
_EXIF_OFFSET: Final = re.compile(r"([+-])(\d{2}):(\d{2})")
_CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]")
# What precedes the TIFF structure of an EXIF block (as Pillow strips it).
_EXIF_HEADER: Final = re.compile(rb"^(Exif\x00\x00){1,2}")

_T = TypeVar("_T")


class PhotoRejected(UploadRejected):
    """The upload is not an acceptable photo (400, 413 or 415)."""


@dataclass(frozen=True)
class ExifFacts:
    """What the camera wrote; every field is ``None`` when absent or broken.

    ``taken_at`` is aware when the photo recorded its UTC offset
    (OffsetTimeOriginal, else OffsetTime) and naive otherwise: the camera's
    wall clock, which only the caller can place in a time zone.
    ``orientation`` is the EXIF Orientation (1-8) still to apply to the
    decoded pixels; HEIF decoders apply the file's rotation themselves, so
    HEIF photos report 1.
    """

    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime | None = None
    make: str | None = None
    model: str | None = None
    orientation: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "make": self.make,
            "model": self.model,
            "orientation": self.orientation,
        }


@dataclass(frozen=True)
class PhotoFacts:
    """An accepted photo: its format, geometry, hashes and EXIF facts.

    ``width``/``height`` are the decoded pixels before the EXIF orientation
    is applied, ``upright_width``/``upright_height`` after it. ``phash`` is a
    64-bit difference hash (16 hex digits) of the upright image: compare two
    with ``hamming_distance``.
    """

    format: PhotoFormat
    mime_type: str
    extension: str
    width: int
    height: int
    upright_width: int
    upright_height: int
    size_bytes: int
    sha256: str
    phash: str
    exif: ExifFacts = field(default_factory=ExifFacts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "mime_type": self.mime_type,
            "extension": self.extension,
            "width": self.width,
            "height": self.height,
            "upright_width": self.upright_width,
            "upright_height": self.upright_height,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "phash": self.phash,
            "exif": self.exif.as_dict(),
        }

    def exif_dict(self) -> dict[str, Any]:
        """The EXIF facts alone, JSON-friendly (what a check-in row stores)."""
        return self.exif.as_dict()


class SupportsRead(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def inspect_photo(
    data: bytes | bytearray | memoryview | SupportsRead,
    *,
    max_bytes: int,
    max_pixels: int,
    sha256: str | None = None,
) -> PhotoFacts:
    """Check an uploaded photo and return its facts, or raise ``PhotoRejected``.

    ``data`` is the whole upload, or a binary stream read from its current
    position (at most ``max_bytes + 1`` bytes are read). Rejections: empty
    (400 ``empty_file``), over ``max_bytes`` (413 ``too_large``), not JPEG,
    PNG, WebP or HEIC by content (415 ``unsupported_media_type``), more than
    ``max_pixels`` pixels (400 ``too_many_pixels``) and files that do not
    decode completely (400 ``damaged_image``).

    Built for throughput: the pixels are decoded once, at the smallest scale
    the format allows (1/8 for JPEG, inside libjpeg), which both feeds the
    perceptual hash and proves the whole file decodes.
    """
    raw = _read_capped(data, max_bytes)
    if len(raw) > max_bytes:
        raise PhotoRejected(
            413,
            "too_large",
            _("The photo is too large: the limit is %(limit)s.")
            % {"limit": human_size(max_bytes)},
        )
    fmt, image = _open(raw, max_pixels)
    # Everything that touches pixels stays inside: closing the image frees
    # them, and the reduced image may be the opened image itself.
    with image, _decoder_errors(max_pixels):
        width, height = image.size
        grey = _decode_small_grey(image, fmt)
        exif = _read_exif(image)
        orientation = exif.orientation or 1
        phash = _difference_hash(_upright(grey, orientation))
    sideways = orientation in _SIDEWAYS
    mime_type, extension = _MIME_TYPES[fmt]
    return PhotoFacts(
        format=fmt,
        mime_type=mime_type,
        extension=extension,
        width=width,
        height=height,
        upright_width=height if sideways else width,
        upright_height=width if sideways else height,
        size_bytes=len(raw),
        # A caller that already hashed the bytes (for idempotency) passes it.
        sha256=sha256 or hashlib.sha256(raw).hexdigest(),
        phash=phash,
        exif=exif,
    )


def hamming_distance(a: str, b: str) -> int:
    """How many of the 64 bits differ between two ``phash`` values."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def render_thumbnail(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    max_side: int = 320,
    max_pixels: int | None = None,
) -> tuple[int, int]:
    """Write an upright, metadata-free JPEG thumbnail; return its size.

    See ``render_display_copy`` for the contract.
    """
    return _render_jpeg(source, destination, max_side=max_side, max_pixels=max_pixels)


def render_display_copy(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    max_side: int = 1600,
    max_pixels: int | None = None,
) -> tuple[int, int]:
    """Write the copy people are shown; return its (width, height).

    ``source`` is a stored original (which passed ``inspect_photo``). The
    copy is a JPEG re-encoded from pixels: upright, at most ``max_side``
    pixels on its longer side (never enlarged), sRGB (converted from the
    original's RGB colour profile, if any), with no EXIF, ICC, XMP or
    trailing bytes; animated images give their first frame. It
    replaces ``destination`` atomically (temporary file in the same
    directory, fsync, rename), so readers never see half a file; missing
    directories are created.

    Raises ``PhotoRejected`` when the source is not a readable photo or has
    more than ``max_pixels`` pixels (``None``: no check, for originals that
    passed ``inspect_photo``), and ``OSError`` for storage failures.
    """
    return _render_jpeg(source, destination, max_side=max_side, max_pixels=max_pixels)


# --- opening and decoding -----------------------------------------------------


def _read_capped(
    data: bytes | bytearray | memoryview | SupportsRead, cap: int
) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    # One byte past the cap is enough to know the upload is too large, and
    # a hostile stream is never read to its end.
    chunks: list[bytes] = []
    remaining = cap + 1
    while remaining > 0:
        chunk = data.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _sniff(data: bytes) -> PhotoFormat | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[0:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        # The ftyp box lists a major brand and compatible brands; HEIC files
        # name an HEVC brand in one of them. Other ISO media (MP4, AVIF)
        # do not, and the installed libheif cannot decode AVIF anyway.
        box_size = int.from_bytes(data[0:4], "big")
        if 16 <= box_size <= min(len(data), 4096):
            brands = [data[8:12]] + [
                data[i : i + 4] for i in range(16, box_size - 3, 4)
            ]
            if _HEVC_BRANDS.intersection(brands):
                return "heif"
    return None


def _isobmff_complete(data: bytes) -> bool:
    """Whether the top-level boxes of a HEIF file add up to its length.

    libheif decodes a HEIF whose media data was cut off without an error
    (the missing part comes out as garbage), so an interrupted upload is
    caught here instead, from the box sizes.
    """
    offset, end = 0, len(data)
    while offset + 8 <= end:
        size = int.from_bytes(data[offset : offset + 4], "big")
        if size == 0:  # the last box, running to the end of the file
            return True
        if size == 1:  # a 64-bit size follows the type
            if offset + 16 > end:
                return False
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
            if size < 16:
                return False
        elif size < 8:
            return False
        offset += size
    return offset == end


def _png_complete(data: bytes) -> bool:
    """Whether a PNG's chunks run whole up to its IEND chunk.

    libpng and Pillow finish a PNG whose last bytes were cut off (the IEND
    chunk, the last checksums, the tail of the compressed pixels) without
    an error, so an interrupted upload is caught here instead, from the
    chunk lengths. Bytes after IEND are the file's own business.
    """
    offset, end = 8, len(data)
    while offset + 12 <= end:
        length = int.from_bytes(data[offset : offset + 4], "big")
        if data[offset + 4 : offset + 8] == b"IEND":
            return length == 0
        offset += 12 + length
    return False


# Formats whose decoders finish a file cut short without an error: their
# structure shows whether the whole file arrived.
_STRUCTURE_CHECKS: Final[dict[PhotoFormat, Callable[[bytes], bool]]] = {
    "heif": _isobmff_complete,
    "png": _png_complete,
}


def _open(
    data: bytes, max_pixels: int | None
) -> tuple[PhotoFormat, ImageFile.ImageFile]:
    """Sniff, open lazily (headers only) and check the declared pixel count."""
    if not data:
        raise PhotoRejected(400, "empty_file", _("The photo file is empty."))
    fmt = _sniff(data)
    if fmt is None:
        raise PhotoRejected(
            415,
            "unsupported_media_type",
            _("This is not a supported photo: send a JPEG, PNG, WebP or HEIC image."),
        )
    complete = _STRUCTURE_CHECKS.get(fmt)
    if complete is not None and not complete(data):
        raise _damaged()
    with _decoder_errors(max_pixels):
        image = _DECODERS[fmt](io.BytesIO(data))
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        image.close()
        raise _too_many_pixels(max_pixels, (width, height))
    return fmt, image


def _decode_small_grey(image: ImageFile.ImageFile, fmt: PhotoFormat) -> Image.Image:
    if fmt == "jpeg":
        # libjpeg scales by 1/8 while decoding (it skips most of the inverse
        # DCT but still entropy-decodes every block, so damage and truncation
        # are found): the cheapest complete decode there is. The floor of
        # 9x8 only matters for tiny images.
        width, height = image.size
        image.draft(
            "L", (max(_HASH_SIZE + 1, width // 8), max(_HASH_SIZE, height // 8))
        )
    # PNG, WebP and HEIF have no reduced decode: full pixels it is.
    _load_whole(image)
    return image if image.mode == "L" else _to_rgb(image).convert("L")


def _load_whole(image: ImageFile.ImageFile) -> None:
    """Decode with the whole file handed to the decoder in one call.

    Pillow feeds decoders 64 KB at a time and releases the GIL for each
    piece. In a server thread every piece then has to win the GIL back,
    behind the other requests' Python, so a 9 MP decode stalled dozens
    of times and the second core sat idle; in one call it runs without
    the GIL from start to end (check-ins through one worker: 43 -> 50/s).
    That call runs on a pixel thread, ranked below the request threads'
    Python work (``backend.lib.pixel_threads``).
    """
    image.decodermaxblock = _WHOLE_FILE
    pixel_threads.run(image.load)


def _difference_hash(grey: Image.Image) -> str:
    """dHash: is each cell brighter than its right neighbour, on a 9x8 grid.

    BOX averaging matches what JPEG's 1/8 decode already did (block means),
    so a big original and a small re-encode of it land on nearly the same
    grid.
    """
    small = grey.resize((_HASH_SIZE + 1, _HASH_SIZE), Image.Resampling.BOX)
    pixels = small.tobytes()
    bits = 0
    for row in range(_HASH_SIZE):
        for col in range(_HASH_SIZE):
            index = row * (_HASH_SIZE + 1) + col
            bits = (bits << 1) | (pixels[index] > pixels[index + 1])
    return f"{bits:016x}"


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    method = _UPRIGHT.get(orientation)
    return image if method is None else image.transpose(method)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Plain 8-bit RGB: what a JPEG copy (and the hash) is made from."""
    if image.mode in _SIXTEEN_BIT_GREY:
        # Pillow's I;16 -> L conversion clips instead of scaling, which turns
        # a 16-bit photo white; scale 0..65535 down to 0..255 first.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.has_transparency_data:
        # Transparent areas become white, as a browser shows them on a page,
        # rather than whatever colour the invisible pixels happen to hold.
        background = Image.new("RGBA", image.size, "white")
        background.alpha_composite(image.convert("RGBA"))
        image = background
    return image if image.mode == "RGB" else image.convert("RGB")


# --- rendering ----------------------------------------------------------------


def _render_jpeg(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    max_side: int,
    max_pixels: int | None,
) -> tuple[int, int]:
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    fmt, image = _open(Path(source).read_bytes(), max_pixels)
    with image, _decoder_errors(max_pixels):
        target = _fit(image.size, max_side)
        if fmt == "jpeg" and target != image.size:
            # Decode at the smallest JPEG scale still twice the target: the
            # margin LANCZOS needs for a sharp result, at a fraction of the
            # cost of a full decode.
            image.draft("RGB", (target[0] * 2, target[1] * 2))
        _load_whole(image)
        orientation = _read_exif(image).orientation or 1
        pixels = _to_rgb(image)
        if pixels.size != target:
            pixels = pixels.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
        # After the resize: the conversion costs per pixel, and 1600 px of
        # a 12 MP photo are a sixth of them.
        pixels = _in_srgb(pixels, image.info.get("icc_profile"))
        upright = _upright(pixels, orientation)
        # A fresh image holds pixels only: no info dict, so nothing (EXIF,
        # ICC, XMP, comments) can be carried into the encoder by accident.
        clean = Image.new("RGB", upright.size)
        clean.paste(upright)
    encoded = io.BytesIO()
    clean.save(encoded, "JPEG", quality=_JPEG_QUALITY)
    with storage_full_on_no_space():
        _write_atomically(Path(destination), encoded.getvalue())
    return clean.size


def _in_srgb(pixels: Image.Image, icc_profile: Any) -> Image.Image:
    """RGB ``pixels`` converted from the photo's colour profile to sRGB.

    A copy carries no profile, and a viewer reads pixels without one as
    sRGB; iPhones tag their photos Display P3, whose pixel values mean
    more saturated colours, so dropping the profile without converting
    them shows the wrong colours. A profile that cannot be read, or that
    is not an RGB profile (grey or CMYK, applied to pixels already made
    RGB without it), leaves the pixels as they are.
    """
    if not isinstance(icc_profile, bytes) or not icc_profile:
        return pixels
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if profile.profile.xcolor_space.strip() != "RGB":
            return pixels
        converted = ImageCms.profileToProfile(
            pixels, profile, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # The profile came with the upload: hostile or broken input that
        # costs the conversion only.
        return pixels
    return converted if converted is not None else pixels


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    scale = max_side / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _write_atomically(destination: Path, data: bytes) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Same directory, so the rename is atomic; a plain open (not mkstemp's
    # 0600) so copies get the same umask-derived mode as stored originals.
    temporary = destination.with_name(
        f".{destination.name}.{secrets.token_hex(8)}.part"
    )
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    # The rename itself survives a crash only once the directory is synced.
    directory = os.open(destination.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- errors -------------------------------------------------------------------


@contextlib.contextmanager
def _decoder_errors(max_pixels: int | None) -> Iterator[None]:
    """Turn whatever the decoders raise on bad input into ``PhotoRejected``.

    Pillow, libjpeg, libpng, libwebp and libheif raise OSError, SyntaxError,
    ValueError, struct.error, EOFError and more on hostile input, with no
    documented contract, so anything but our own rejection and MemoryError
    (the server's problem, not the photo's) is a damaged image.
    """
    try:
        yield
    except (PhotoRejected, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Unreachable while _DECODERS bypasses Image.open's check; kept so a
        # future Pillow check (or warnings turned into errors) is still a 400.
        raise _too_many_pixels(max_pixels, None) from exc
    except Exception as exc:
        raise _damaged() from exc


def _damaged() -> PhotoRejected:
    return PhotoRejected(
        400,
        "damaged_image",
        _(
            "The photo is damaged or incomplete and cannot be read. "
            "Please take or send it again."
        ),
    )


def _too_many_pixels(
    max_pixels: int | None, size: tuple[int, int] | None
) -> PhotoRejected:
    if max_pixels is None or size is None:
        message = _("The photo has too many pixels.")
    else:
        message = _(
            "The photo has too many pixels (%(width)d x %(height)d): "
            "the limit is %(limit)s megapixels."
        ) % {"width": size[0], "height": size[1], "limit": f"{max_pixels / 1e6:g}"}
    return PhotoRejected(400, "too_many_pixels", message)


def human_size(size: int) -> str:
    """A byte count as people read a limit ("15 MB", "488 KB"), rounded
    down, so the stated limit is never more than the real one."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size // factor} {unit}"
    return f"{size} B"


# --- EXIF ---------------------------------------------------------------------

# Pillow's TIFF directory reader, which reads every EXIF block, warns when
# a tag points past the block, the block is cut short or a count is absurd.
# ``_read_exif`` already treats such EXIF as facts unknown, so the warnings
# tell a server's log nothing to act on. TIFF files themselves are refused
# (415), so nothing else of that module's runs here.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.TiffImagePlugin")


def _read_exif(image: Image.Image) -> ExifFacts:
    """The EXIF facts of an opened image; never raises.

    EXIF in the wild is often broken (zero denominators, wrong types, loops,
    truncated blocks), and a bad tag must cost only that fact, not the upload.
    """
    exif = _fact(image.getexif)
    if exif is None:
        return ExifFacts()
    raw = image.info.get("exif")
    # The TIFF structure both sub-IFDs are read from, found once.
    tiff = _EXIF_HEADER.sub(b"", raw) if isinstance(raw, bytes) else None
    position = _fact(lambda: _gps_position(_sub_ifd(exif, tiff, IFD.GPSInfo)))
    latitude, longitude = position or (None, None)
    return ExifFacts(
        latitude=latitude,
        longitude=longitude,
        taken_at=_fact(lambda: _capture_time(_sub_ifd(exif, tiff, IFD.Exif))),
        make=_fact(lambda: _text(exif.get(Base.Make))),
        model=_fact(lambda: _text(exif.get(Base.Model))),
        orientation=_fact(lambda: _orientation(exif.get(Base.Orientation))),
    )


class _Tags(Protocol):
    def get(self, tag: int, /) -> Any: ...


class _LazyIfd:
    """A sub-IFD whose tags are decoded when read, one by one, with the
    single-value unwrapping ``Exif.get_ifd`` applies."""

    def __init__(self, directory: TiffImagePlugin.ImageFileDirectory_v2) -> None:
        self._directory = directory

    def get(self, tag: int) -> Any:
        value = self._directory.get(tag)
        return value[0] if isinstance(value, tuple) and len(value) == 1 else value


def _sub_ifd(exif: Image.Exif, tiff: bytes | None, tag: int) -> _Tags:
    """The Exif or GPS sub-IFD, decoding only the tags that are read.

    ``Exif.get_ifd`` decodes every tag of the IFD (dozens of them, the
    maker's notes among them) to give the few the facts need: for a
    1280-px photo that cost more than decoding its pixels. ``tiff`` is the
    raw EXIF block without its "Exif" header (JPEG's APP1, WebP's and PNG's
    EXIF chunk, HEIF's EXIF item), read here with the same Pillow directory
    class, lazily; EXIF that came from anywhere else goes through
    ``get_ifd``.
    """
    offset = exif.get(tag)
    if tiff is None or not isinstance(offset, int):
        return exif.get_ifd(tag)
    stream = io.BytesIO(tiff)
    directory = TiffImagePlugin.ImageFileDirectory_v2(tiff[:8], group=tag)
    stream.seek(offset)
    directory.load(stream)
    return _LazyIfd(directory)


def _fact(read: Callable[[], _T]) -> _T | None:
    try:
        return read()
    except Exception:
        # Broken EXIF is the camera's (or the forger's) problem: the fact is
        # simply unknown. Any exception type is possible from Pillow's parser.
        return None


def _gps_position(gps: _Tags) -> tuple[float, float] | None:
    latitude = _coordinate(
        gps.get(GPS.GPSLatitude), gps.get(GPS.GPSLatitudeRef), "NS", 90
    )
    longitude = _coordinate(
        gps.get(GPS.GPSLongitude), gps.get(GPS.GPSLongitudeRef), "EW", 180
    )
    if latitude is None or longitude is None:
        return None
    if latitude == 0 and longitude == 0:
        # Receivers without a fix write 0/0 ("Null Island"), not a place.
        return None
    return latitude, longitude


def _coordinate(
    value: Any, reference: Any, hemispheres: str, limit: int
) -> float | None:
    """Degrees, minutes, seconds plus N/S or E/W to signed decimal degrees.

    Without a valid reference the sign is unknown, and a wrong sign is
    thousands of kilometres off (Indonesia straddles the equator), so the
    coordinate is dropped rather than guessed.
    """
    hemisphere = (_text(reference) or "")[:1].upper()
    if not hemisphere or hemisphere not in hemispheres:
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    values: list[float] = []
    for part in parts:
        number = _number(part)
        if number is None or number < 0:
            return None
        values.append(number)
    degrees, *rest = values
    if any(number >= 60 for number in rest):
        return None
    decimal = degrees + sum(number / 60 ** (i + 1) for i, number in enumerate(rest))
    if decimal > limit:
        return None
    return round(-decimal if hemisphere == hemispheres[1] else decimal, 7)


def _number(value: Any) -> float | None:
    if isinstance(value, tuple) and len(value) == 2:
        # Some writers (and Pillow for odd tag types) give raw pairs.
        numerator, denominator = value
        if not all(isinstance(n, int) for n in value) or denominator == 0:
            return None
        return numerator / denominator
    if isinstance(value, TiffImagePlugin.IFDRational) and value.denominator == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


_EXIF_YEARS = (1900, 2999)


def _capture_time(exif_ifd: _Tags) -> datetime | None:
    match = _EXIF_DATETIME.fullmatch(_text(exif_ifd.get(Base.DateTimeOriginal)) or "")
    if match is None:
        return None
    # OffsetTime (of DateTime) stands in for OffsetTimeOriginal: cameras
    # that write only it write both times on the same clock.
    offset = _utc_offset(_text(exif_ifd.get(Base.OffsetTimeOriginal)))
    if offset is None:
        offset = _utc_offset(_text(exif_ifd.get(Base.OffsetTime)))
    try:
        # tzinfo is None when the photo recorded no offset: a naive wall
        # clock, placed in a zone by the caller.
        year, month, day, hour, minute, second = map(int, match.groups())
        taken = datetime(year, month, day, hour, minute, second, tzinfo=offset)
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None
    # Years no camera wrote: near the ends of the calendar the time cannot
    # even be moved into another zone to be compared.
    if not _EXIF_YEARS[0] <= year <= _EXIF_YEARS[1]:
        return None
    return taken


def _utc_offset(text: str | None) -> timezone | None:
    match = _EXIF_OFFSET.fullmatch(text or "")
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def _orientation(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8:
        return value
    return None


def _text(value: Any) -> str | None:
    """A printable, bounded string from an ASCII tag, or None."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    value = _CONTROL_CHARACTERS.sub("", value).strip()
    return value[:_TEXT_LIMIT] or None
