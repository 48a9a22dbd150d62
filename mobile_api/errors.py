"""One JSON error shape for every API failure.

``{"code": "<stable machine code>", "message": "<human text>",
"fields": {"<field>": ["<message>", ...]}}`` (``fields`` only for input
errors). Views raise; this module shapes.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.lib.durable_files import StorageFull
from backend.lib.refusals import FileGone, ReplayConflict, UploadRejected

logger = logging.getLogger(__name__)


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat: list[Any] = []
        for item in detail:
            value = _flatten(item)
            if isinstance(value, list):
                flat.extend(value)
            else:
                flat.append(value)
        return flat
    return str(detail)


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {
            str(key): _flatten(value if isinstance(value, list | dict) else [value])
            for key, value in detail.items()
        }
    return {
        "non_field_errors": _flatten(detail if isinstance(detail, list) else [detail])
    }


def error_body(
    code: str, message: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def validation_message(fields: dict[str, Any]) -> str:
    names = [name for name in fields if name != "non_field_errors"]
    if not names:
        first = next(iter(fields.values()), [""])
        return str(first[0] if isinstance(first, list) and first else first)
    return _("Invalid input in: %(fields)s.") % {"fields": ", ".join(names)}


def _upload_field(exc: UploadRejected, context: dict[str, Any]) -> str | None:
    """The input field a refused upload came in: a view names its upload
    fields per refusal class in ``upload_fields``."""
    fields = getattr(context.get("view"), "upload_fields", None) or {}
    return next((fields[cls] for cls in type(exc).__mro__ if cls in fields), None)


def _domain_error(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answers for the domain's own refusals of an upload, and for stored
    files that cannot be served."""
    if isinstance(exc, UploadRejected):
        field = _upload_field(exc, context)
        fields = {field: [exc.message]} if field else None
        return Response(error_body(exc.code, exc.message, fields), status=exc.status)
    if isinstance(exc, ReplayConflict):
        return Response(error_body("conflict", str(exc)), status=409)
    if isinstance(exc, FileGone):
        if exc.problem:
            logger.error("stored file unavailable: %s", exc.problem)
        return Response(error_body(exc.code, exc.message), status=status.HTTP_410_GONE)
    if isinstance(exc, StorageFull):
        return Response(
            error_body(
                "storage_full",
                _("The server cannot store uploads right now; try again later."),
            ),
            status=status.HTTP_507_INSUFFICIENT_STORAGE,
            headers={"Retry-After": "60"},
        )
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    domain = _domain_error(exc, context)
    if domain is not None:
        return domain
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", _("The request body is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFilesSent):
        return Response(
            error_body("too_many_files", _("The request has too many files.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response(
            error_body("too_many_fields", _("The request has too many fields.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RecursionError):
        # JSON nested deeper than the interpreter's recursion limit: DRF's
        # JSONParser only turns ValueError into a parse error.
        exc = exceptions.ParseError(_("The JSON is nested too deeply."))
    elif isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail=messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DataError):
        # A value the database refuses (a NUL character in a text, a number
        # out of range) that validation let through: the input's fault, not
        # an outage, so no retry and no closing of the connection.
        logger.warning("value refused by the database: %s", exc)
        exc = exceptions.ValidationError(
            {
                "non_field_errors": [
                    _("The input contains a value that cannot be stored.")
                ]
            }
        )
    elif isinstance(exc, DatabaseError):
        # The database is down or restarting: tell the phone to retry rather
        # than answering with a 500 page.
        logger.warning("database unavailable: %s", exc)
        connection.close_if_unusable_or_obsolete()
        return Response(
            error_body(
                "service_unavailable",
                _("The service is temporarily unavailable; try again."),
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        response.data = error_body(
            "validation_error", validation_message(fields), fields
        )
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        if isinstance(detail, dict | list):
            response.data = error_body(str(code), str(_flatten(detail)))
        else:
            response.data = error_body(str(code), str(detail))
    return response


def handler404(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("server_error", _("Something went wrong on the server.")),
            status=500,
        )
    from django.views.defaults import server_error

    return server_error(request)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness plus a database round trip, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("healthz: the database is unavailable: %s", exc)
        return JsonResponse({"status": "database_unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
