"""The API's multipart parser (mobile_api/parsers.py) against Django's.

The parser must read what Django's reads (fields, files, names, types,
bytes), keep Django's limits, spill big files to disk, and answer a broken
body with a 400. Through the API, the malformed bodies of
tests/fuzz/test_malformed_multipart.py exercise it further.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.core.files.uploadhandler import load_handler
from django.http.multipartparser import MultiPartParser as DjangoParser
from rest_framework.exceptions import ParseError

from mobile_api.parsers import MultiPartParser, clean_file_name
from tests.conftest import client_for

PHOTO = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "photos"
    / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
).read_bytes()
BOUNDARY = "----pantau-test-boundary-7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(
    name: str,
    value: bytes | str,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    extra_headers: bytes = b"",
) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    headers = disposition.encode()
    if content_type is not None:
        headers += b"\r\nContent-Type: " + content_type.encode()
    headers += extra_headers
    data = value.encode() if isinstance(value, str) else value
    return b"--" + BOUNDARY.encode() + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"


def parse(data: bytes, content_type: str = CONTENT_TYPE) -> Any:
    request = SimpleNamespace(META={"CONTENT_LENGTH": str(len(data))})
    return MultiPartParser().parse(
        io.BytesIO(data), content_type, {"request": request, "encoding": "utf-8"}
    )


def django_parse(data: bytes) -> Any:
    handlers = [
        load_handler("django.core.files.uploadhandler.MemoryFileUploadHandler"),
        load_handler("django.core.files.uploadhandler.TemporaryFileUploadHandler"),
    ]
    meta = {"CONTENT_TYPE": CONTENT_TYPE, "CONTENT_LENGTH": str(len(data))}
    return DjangoParser(meta, io.BytesIO(data), handlers, "utf-8").parse()


CHECKIN = body(
    part("client_uuid", "7b0a4d4e-2f6c-4a53-9a55-8f3a3a0c1e11"),
    part("kind", "in"),
    part("latitude", "0.5079300"),
    part("note", "Rapat di kantor gubernur, lantai 3 — ruang Melati"),
    part("tag", "a"),
    part("tag", "b"),
    part("photo", PHOTO, filename="IMG_0001.jpg", content_type="image/jpeg"),
)


def test_it_reads_what_djangos_parser_reads() -> None:
    ours = parse(CHECKIN)
    fields, files = django_parse(CHECKIN)
    assert dict(ours.data.lists()) == dict(fields.lists())
    assert ours.data.getlist("tag") == ["a", "b"]
    mine, theirs = ours.files["photo"], files["photo"]
    assert isinstance(mine, InMemoryUploadedFile)
    assert (mine.name, mine.content_type, mine.size, mine.field_name) == (
        theirs.name,
        theirs.content_type,
        theirs.size,
        theirs.field_name,
    )
    assert mine.read() == theirs.read() == PHOTO
    assert not ours.data._mutable


def test_a_big_file_goes_to_a_temporary_file(settings: Any) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000
    data = body(
        part("kind", "out"),
        part("photo", PHOTO, filename="big.jpg", content_type="image/jpeg"),
    )
    parsed = parse(data)
    upload = parsed.files["photo"]
    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.size == len(PHOTO)
    assert upload.read() == PHOTO
    assert parsed.data["kind"] == "out"
    upload.close()


def test_a_body_read_in_chunks_gives_the_same_result(settings: Any) -> None:
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE the body is read 1 MB at a time, so
    boundaries and headers may fall across reads."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = bytes(range(256)) * 9000  # 2.3 MB, with every byte value
    data = body(
        part("kind", "in"),
        part("photo", payload, filename="a.bin", content_type="image/jpeg"),
        part("note", "after the file"),
    )
    parsed = parse(data)
    assert parsed.files["photo"].read() == payload
    assert parsed.data["note"] == "after the file"
    parsed.files["photo"].close()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("selfie.jpg", "selfie.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\budi\\foto masuk.heic", "foto masuk.heic"),
        ("a&amp;b.png", "a&b.png"),
        ("ta\x07b.jpg", "tab.jpg"),
        ("..", None),
        ("dir/", None),
        ("", None),
    ],
)
def test_file_names_are_cleaned_as_django_cleans_them(
    sent: str, kept: str | None
) -> None:
    assert clean_file_name(sent) == kept
    assert DjangoParser.sanitize_file_name(None, sent) == kept  # type: ignore[arg-type]


def test_parts_without_a_name_or_a_usable_file_name_are_skipped() -> None:
    parsed = parse(
        body(
            b"--" + BOUNDARY.encode() + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n",
            part("photo", PHOTO, filename="..", content_type="image/jpeg"),
            part("kind", "in"),
        )
    )
    assert parsed.data.dict() == {"kind": "in"}
    assert not parsed.files


def test_invalid_text_is_replaced_not_refused() -> None:
    parsed = parse(body(part("note", b"caf\xe9 \xff")))
    assert parsed.data["note"] == "caf\ufffd \ufffd"


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary="has\x01control"',
        "multipart/form-data; boundary=" + "x" * 300,
    ],
)
def test_a_missing_or_invalid_boundary_is_a_parse_error(content_type: str) -> None:
    with pytest.raises(ParseError):
        parse(CHECKIN, content_type)


def test_a_body_without_a_part_is_an_empty_form() -> None:
    parsed = parse(b"this is not multipart at all")
    assert not parsed.data
    assert not parsed.files


def test_a_cut_body_keeps_what_arrived_of_its_last_part() -> None:
    data = body(part("kind", "in"), part("photo", PHOTO, filename="p.jpg"))
    parsed = parse(data[: len(data) - 5000])
    assert parsed.data["kind"] == "in"
    cut = parsed.files["photo"].read()
    assert 0 < len(cut) < len(PHOTO)
    assert PHOTO.startswith(cut)


def test_malformed_part_headers_are_a_parse_error() -> None:
    broken = (
        b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition form-data\r\n\r\nx\r\n"
    )
    with pytest.raises(ParseError):
        parse(body(part("kind", "in"), broken))


def test_part_headers_over_8_kb_are_a_parse_error() -> None:
    padding = b"\r\nX-Padding: " + b"p" * 9000
    with pytest.raises(ParseError):
        parse(body(part("kind", "in", extra_headers=padding)))


def test_a_transfer_encoding_is_refused() -> None:
    encoded = part(
        "photo",
        "aGVsbG8=",
        filename="p.jpg",
        extra_headers=b"\r\nContent-Transfer-Encoding: base64",
    )
    with pytest.raises(ParseError):
        parse(body(encoded))
    assert parse(
        body(part("kind", "in", extra_headers=b"\r\nContent-Transfer-Encoding: 8bit"))
    ).data["kind"] == ("in")


def test_djangos_field_count_limit_applies(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    assert len(parse(body(*(part(f"f{i}", "x") for i in range(3)))).data) == 3
    with pytest.raises(TooManyFieldsSent):
        parse(body(*(part(f"f{i}", "x") for i in range(4))))


def test_djangos_file_count_limit_applies(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    one = part("photos", b"\xff\xd8\xff", filename="p.jpg")
    assert len(parse(body(one, one)).files.getlist("photos")) == 2
    with pytest.raises(TooManyFilesSent):
        parse(body(one, one, one))


def test_unnamed_parts_count_against_the_limits(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    unnamed = b"--" + BOUNDARY.encode() + b"\r\nX-Nothing: here\r\n\r\nx\r\n"
    with pytest.raises(TooManyFieldsSent):
        parse(body(*([unnamed] * 4)))


def test_djangos_field_memory_limit_applies_to_fields_not_files(
    settings: Any,
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert parse(body(part("photo", PHOTO, filename="p.jpg"))).files["photo"]
    with pytest.raises(RequestDataTooBig):
        parse(body(part("note", "x" * 600), part("other", "y" * 600)))


def test_through_the_api_a_limit_is_a_json_4xx(org: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    client = client_for(org.alice.user)
    data: Any = body(*(part(f"f{i}", "x") for i in range(3)))
    response = client.generic(
        "POST", "/api/v1/checkins/", data, content_type=CONTENT_TYPE
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex"])
def test_a_charset_that_is_not_a_text_encoding_is_a_json_400(
    org: Any, charset: str
) -> None:
    client = client_for(org.alice.user)
    client.raise_request_exception = False
    response = client.generic(
        "POST",
        "/api/v1/checkins/",
        CHECKIN,
        content_type=f"{CONTENT_TYPE}; charset={charset}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": f"The charset {charset} of the request is not a text encoding.",
    }


def test_a_text_charset_is_used_for_the_fields() -> None:
    request = SimpleNamespace(META={"CONTENT_LENGTH": str(len(CHECKIN))})
    data = body(part("note", "caf\u00e9".encode("latin-1")))
    parsed = MultiPartParser().parse(
        io.BytesIO(data), CONTENT_TYPE, {"request": request, "encoding": "latin-1"}
    )
    assert parsed.data["note"] == "caf\u00e9"
