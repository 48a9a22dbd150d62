"""The benchmark's URLconf: the project's own, plus one endpoint that does
only the work no 9 MP check-in can skip.

``POST /bench/stack-floor/`` takes the check-in's multipart body through
everything a check-in goes through before its own logic (the ASGI server,
the middleware, DRF, the token authentication, the API's multipart
parser), then does the photo work every check-in needs whatever else it
does: the SHA-256 (reuse detection and the stored evidence) and
``inspect_photo`` (the 1/8-scale decode that proves the file whole and
feeds the near-duplicate hash, and the EXIF). It answers 201 with the two
hashes and stores nothing: no validation of the other fields, no flags,
no file, no row, no audit entry, no feed event.

Its CPU per request is what a 9 MP check-in costs at the least on this
server and machine; the check-in's CPU beyond it is the check-in's own
work (``bench.cpu_budget``). Only ``bench.server.running_server`` serves
it, through a throwaway settings module; the project's URLconf never
names it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import path
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.lib.photos import PhotoRejected, inspect_photo
from backend.urls import handler404, handler500
from backend.urls import urlpatterns as project_urlpatterns
from mobile_api.parsers import MultiPartParser
from mobile_api.requests import employee_of

PATH = "/bench/stack-floor/"


class StackFloorApi(APIView):
    parser_classes = [MultiPartParser]
    upload_fields = {PhotoRejected: "photo"}

    def post(self, request: Request) -> Response:
        employee_of(request)
        photo = request.data.get("photo")
        if photo is None or isinstance(photo, str):
            # Not user-facing: the benchmark always sends one.
            raise ValidationError({"photo": ["No photo was sent."]})
        data = photo.read(settings.PHOTO_MAX_BYTES + 1)
        sha256 = hashlib.sha256(data).hexdigest()
        facts = inspect_photo(
            data,
            max_bytes=settings.PHOTO_MAX_BYTES,
            max_pixels=settings.PHOTO_MAX_PIXELS,
            sha256=sha256,
        )
        return Response(
            {"sha256": facts.sha256, "phash": facts.phash},
            status=status.HTTP_201_CREATED,
        )


# Last, so that every project URL resolves exactly as without it.
urlpatterns = [
    *project_urlpatterns,
    path(PATH.removeprefix("/"), StackFloorApi.as_view()),
]

__all__ = ["PATH", "handler404", "handler500", "urlpatterns"]
