"""What several API views need from a request."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from backend.lib.photos import human_size
from backend.organization.models import Employee
from mobile_api.errors import error_body


def employee_of(request: Request) -> Employee:
    """The caller's employee record; 404 for accounts without one."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise NotFound(_("This account has no employee record."))
    return employee


def too_large(
    request: Request, limit_bytes: int, slack_bytes: int, *, fields: tuple[str, ...]
) -> Response | None:
    """A 413 before parsing when the declared body exceeds the upload limit
    (plus ``slack_bytes`` for the form fields), so an oversized body is never
    spooled to disk. The answer names ``fields``, those the uploads come in,
    as the 413 of a file found too large while parsing does."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        # Not a number: the parser refuses the body with a 400.
        return None
    if length <= limit_bytes + slack_bytes:
        return None
    message = _("The upload is larger than the limit of %(limit)s.") % {
        "limit": human_size(limit_bytes)
    }
    return Response(
        error_body("too_large", message, {field: [message] for field in fields}),
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )
