"""multipart/form-data for the API, parsed with python-multipart.

Phones send their check-in and report photos as multipart bodies, 2 MB
and more each when the app does not shrink them. Django's parser moves
every byte of an upload through several Python-level buffers (its lazy
stream, the boundary iterator, the upload handler's file) while holding
the GIL: 3.4 ms of CPU for a 2 MB photo, a tenth of what the whole
check-in costs. python-multipart finds the boundaries with ``bytes.find``
and hands over slices of what was read, in 0.8 ms.

The contract is Django's, as DRF's own ``MultiPartParser`` gives it:

- fields in a ``QueryDict``, decoded with the request's encoding (invalid
  bytes replaced); files, the parts with a file name, in a
  ``MultiValueDict`` of uploaded files: in memory up to
  ``FILE_UPLOAD_MAX_MEMORY_SIZE``, in a temporary file beyond it;
- parts without a name, and files whose name is empty once cleaned, are
  skipped; file names are cleaned as Django cleans them;
- ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES`` and
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the fields' bytes) raise Django's own
  exceptions, which ``mobile_api.errors`` answers;
- a malformed body is a ``ParseError`` (400).

- a body without a single part under its boundary is an empty form, and
  one cut off before its closing boundary keeps what arrived of its last
  part, so the answer names the fields that are missing or broken.

Stricter than Django where a body is unusual: part headers over 8 KB,
and a ``Content-Transfer-Encoding`` other than 7bit, 8bit or binary (RFC
7578 deprecates it and no phone sends it), are refused instead of guessed
at.
``FILE_UPLOAD_HANDLERS`` do not apply to these endpoints.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from io import BytesIO
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    TemporaryUploadedFile,
    UploadedFile,
)
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import gettext as _
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser as _Tokenizer
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, DataAndFiles

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

# What Django accepts as a boundary (RFC 2046 allows 1-70 characters).
_BOUNDARY = _lazy_re_compile(r"[ -~]{0,200}[!-~]")
_READ_SIZE = 1 << 20
_MAX_HEADER_BYTES = 8 * 1024
_IDENTITY_ENCODINGS = frozenset({"", "7bit", "8bit", "binary"})


def clean_file_name(name: str) -> str | None:
    """The file name a browser or phone sent, reduced as Django reduces it:
    HTML entities decoded, any directory part dropped (with either slash),
    unprintable characters removed; ``None`` when nothing usable is left."""
    name = html.unescape(name)
    name = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = "".join(character for character in name if character.isprintable())
    return None if name in {"", ".", ".."} else name


class _Part:
    """One part while it is being read: its headers, then its bytes."""

    def __init__(self) -> None:
        self.header_bytes = 0
        self.headers: dict[str, str] = {}
        self.field = bytearray()
        self.value = bytearray()
        self.name: str | None = None
        self.file_name: str | None = None
        self.content_type = ""
        self.charset: str | None = None
        self.content_type_extra: dict[str, Any] = {}
        self.chunks: list[bytes] = []
        self.size = 0
        self.spilled: TemporaryUploadedFile | None = None

    @property
    def is_file(self) -> bool:
        return self.file_name is not None

    @property
    def skipped(self) -> bool:
        """No field to put it in, or a file whose name cleaned to nothing:
        read past, as Django reads past it."""
        return self.name is None or self.file_name == ""


class _Collector:
    """python-multipart's callbacks, building Django's fields and files."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.fields = QueryDict(mutable=True, encoding=encoding)
        self.files: MultiValueDict[str, UploadedFile] = MultiValueDict()
        self.part: _Part | None = None
        # Whether the closing boundary was read.
        self.finished = False
        self.field_count = 0
        self.file_count = 0
        self.parts = 0
        self.field_bytes = 0
        self.max_fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        self.max_files = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        self.max_field_bytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        self.memory_limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    # --- parts and their headers ---------------------------------------------

    def part_begin(self) -> None:
        self.parts += 1
        # Every part costs work, named or not: at most as many parts as
        # Django's two counts allow together.
        if (
            self.max_fields is not None
            and self.max_files is not None
            and self.parts > self.max_fields + self.max_files
        ):
            raise TooManyFieldsSent(
                "The number of parts exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS"
                " + settings.DATA_UPLOAD_MAX_NUMBER_FILES."
            )
        self.part = _Part()

    def _header_room(self, part: _Part, length: int) -> None:
        part.header_bytes += length
        if part.header_bytes > _MAX_HEADER_BYTES:
            raise ParseError(_("A part of the multipart body has headers over 8 KB."))

    def header_field(self, data: bytes, start: int, end: int) -> None:
        part = self._current()
        self._header_room(part, end - start)
        part.field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        part = self._current()
        self._header_room(part, end - start)
        part.value += data[start:end]

    def header_end(self) -> None:
        part = self._current()
        name = part.field.decode("latin-1").strip().lower()
        part.headers[name] = part.value.decode("utf-8", "replace").strip()
        part.field.clear()
        part.value.clear()

    def headers_finished(self) -> None:
        part = self._current()
        encoding = part.headers.get("content-transfer-encoding", "").lower()
        if encoding not in _IDENTITY_ENCODINGS:
            raise ParseError(
                _("Content-Transfer-Encoding %(encoding)s is not supported.")
                % {"encoding": encoding}
            )
        kind, disposition = parse_header_parameters(
            part.headers.get("content-disposition", "")
        )
        if kind.lower() != "form-data" or not disposition.get("name", "").strip():
            # No field to put it in: skipped, as Django skips it.
            return
        part.name = disposition["name"].strip()
        if "filename" in disposition:
            part.file_name = clean_file_name(disposition["filename"]) or ""
            content_type, parameters = parse_header_parameters(
                part.headers.get("content-type", "")
            )
            part.content_type = content_type
            part.charset = parameters.pop("charset", None)
            part.content_type_extra = parameters

    # --- part data ----------------------------------------------------------

    def part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current()
        if part.skipped:
            return
        size = end - start
        if not part.is_file:
            self.field_bytes += size
            if (
                self.max_field_bytes is not None
                and self.field_bytes > self.max_field_bytes
            ):
                raise RequestDataTooBig(
                    "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
                )
        # A slice of the whole buffer is the buffer itself, not a copy.
        chunk = data if start == 0 and end == len(data) else data[start:end]
        part.size += size
        if part.spilled is not None:
            part.spilled.write(chunk)
            return
        part.chunks.append(chunk)
        if part.is_file and part.size > self.memory_limit:
            part.spilled = TemporaryUploadedFile(
                part.file_name or "",
                part.content_type,
                0,
                part.charset,
                part.content_type_extra,
            )
            part.spilled.writelines(part.chunks)
            part.chunks = []

    def part_end(self) -> None:
        part = self._current()
        self.part = None
        if part.skipped:
            return
        assert part.name is not None  # noqa: S101 - not skipped, so named
        if not part.is_file:
            self.field_count += 1
            if self.max_fields is not None and self.field_count > self.max_fields:
                raise TooManyFieldsSent(
                    "The number of GET/POST parameters exceeded "
                    "settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
                )
            value = b"".join(part.chunks).decode(self.encoding, "replace")
            self.fields.appendlist(part.name, value)
            return
        self.file_count += 1
        if self.max_files is not None and self.file_count > self.max_files:
            raise TooManyFilesSent(
                "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES."
            )
        self.files.appendlist(part.name, self._uploaded(part))

    def _uploaded(self, part: _Part) -> UploadedFile:
        if part.spilled is not None:
            part.spilled.flush()
            part.spilled.seek(0)
            part.spilled.size = part.size
            return part.spilled
        # One join; a single chunk is handed over as it is.
        return InMemoryUploadedFile(
            file=BytesIO(b"".join(part.chunks)),
            field_name=part.name,
            name=part.file_name,
            content_type=part.content_type,
            size=part.size,
            charset=part.charset,
            content_type_extra=part.content_type_extra,
        )

    def end(self) -> None:
        self.finished = True

    def close_cut_part(self) -> None:
        if not self.finished and self.part is not None:
            self.part_end()

    def _current(self) -> _Part:
        if self.part is None:  # python-multipart always opens a part first
            raise ParseError(_("The multipart body is malformed."))
        return self.part

    def close_open_files(self) -> None:
        for _name, uploads in self.files.lists():
            for upload in uploads:
                upload.close()
        if self.part is not None and self.part.spilled is not None:
            self.part.spilled.close()


class MultiPartParser(BaseParser):
    """DRF's multipart parser, with python-multipart doing the reading."""

    media_type = "multipart/form-data"

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> DataAndFiles:
        context = parser_context or {}
        request = context["request"]
        encoding = self._text_encoding(
            context.get("encoding") or settings.DEFAULT_CHARSET
        )
        boundary = self._boundary(media_type or "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ParseError(_("The Content-Length header is not a number.")) from None
        collector = _Collector(encoding)
        tokenizer = _Tokenizer(boundary, collector.callbacks())
        try:
            if stream is not None:
                # A body that fits in memory is there already (the ASGI
                # handler read it): taken whole, without a copy.
                whole = 0 < length <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
                read_size = -1 if whole else _READ_SIZE
                while chunk := stream.read(read_size):
                    tokenizer.write(chunk)
                    if whole:
                        break
            tokenizer.finalize()
            # Cut off before the closing boundary: what arrived of the last
            # part is kept, as Django keeps it, so the field it belongs to
            # is judged (a truncated photo is a damaged one) and named.
            collector.close_cut_part()
        except MultipartParseError as exc:
            collector.close_open_files()
            if collector.parts == 0:
                # Not one part under this boundary (another boundary, or no
                # multipart at all): an empty form, as Django reads it, so
                # the answer names the missing fields.
                return DataAndFiles(QueryDict(encoding=encoding), MultiValueDict())
            raise ParseError(_("The multipart body is malformed.")) from exc
        except BaseException:
            collector.close_open_files()
            raise
        collector.fields._mutable = False
        return DataAndFiles(collector.fields, collector.files)

    @staticmethod
    def _text_encoding(encoding: str) -> str:
        # Django takes any charset Python has a codec for, and some codecs
        # (rot13, base64, hex) do not turn bytes into text.
        # An empty bytes object decodes without a codec lookup: one byte.
        try:
            b"a".decode(encoding, "replace")
        except LookupError:
            raise ParseError(
                _("The charset %(charset)s of the request is not a text encoding.")
                % {"charset": encoding}
            ) from None
        return encoding

    @staticmethod
    def _boundary(media_type: str) -> bytes:
        _kind, parameters = parse_header_parameters(media_type)
        boundary = parameters.get("boundary", "")
        if not boundary or not _BOUNDARY.fullmatch(boundary):
            raise ParseError(_("The multipart body has no valid boundary."))
        # The pattern admits printable ASCII only.
        return boundary.encode("ascii")
