"""What the OpenAPI schema says beyond each view's own ``extend_schema``.

Every operation can fail in the ways ``mobile_api.errors`` answers, whatever
the view: the schema class below documents those answers once, with the one
error body, so that each view only declares its successes and its own
refusals (409, 410, 507). ``paginated`` describes the envelope the list views
answer with.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class CachedTokenScheme(KnoxTokenScheme):
    """The cached token check reads the same ``Authorization: Token`` header
    as knox's."""

    target_class = "mobile_api.authentication.CachedTokenAuthentication"


def _error_serializer() -> type[serializers.Serializer]:
    # Imported late: mobile_api.serializers is loaded by the views, and the
    # schema class is loaded by DRF's settings.
    from mobile_api.serializers import ErrorSerializer

    return ErrorSerializer


class ApiAutoSchema(AutoSchema):
    """Adds the error answers every operation can give.

    - 400: malformed input (body, query or a text path parameter), with
      ``fields``;
    - 401: a missing, wrong or expired token; 403: not allowed (or no CSRF
      token with session authentication);
    - 404: no such object, or one the caller may not see, or an account
      without an employee record;
    - 413 and 415: a body over the limits, or of a type the view does not
      parse (operations with a body);
    - 429: throttled (operations with a throttle);
    - 503: the database is unavailable (with ``Retry-After``).
    """

    def _error_codes(self) -> list[int]:
        has_body = self.method in _BODY_METHODS
        has_query = any(
            parameter.get("in") == "query"
            for parameter in self._get_parameters()
            if isinstance(parameter, dict)
        )
        # A text path parameter (a period, a pattern kind) is validated by
        # the view, not by the URL: a malformed one is a 400 naming it.
        has_text_path = any(
            parameter.get("in") == "path"
            and parameter.get("schema", {}).get("type") == "string"
            for parameter in self._get_parameters()
            if isinstance(parameter, dict)
        )
        codes = [401, 403, 404, 503]
        if has_body or has_query or has_text_path:
            codes.append(400)
        if has_body:
            codes += [413, 415]
        if getattr(self.view, "throttle_classes", None) and getattr(
            self.view, "throttle_scope", None
        ):
            codes.append(429)
        return sorted(codes)

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        for parameter in parameters:
            # DRF reads an empty optional query value (?to=) as an absent one.
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    _error_serializer(), str(code), direction=direction
                )
        return responses


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {
                    "type": "object",
                    "description": "Errors per list item or nested field, "
                    "in the same shape.",
                },
            ]
        },
    }
)
class FieldErrorsField(serializers.DictField):
    """Messages per input field; a list or nested field has its own
    messages per item index or sub-field."""


def paginated(
    serializer: type[serializers.Serializer], *, name: str, count: bool = False
) -> serializers.Serializer:
    """The envelope of a paginated list: ``next``/``previous`` links and
    ``results`` (plus ``count`` for page-number pagination)."""
    fields: dict[str, serializers.Field] = {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializer(many=True),
    }
    if count:
        fields = {"count": serializers.IntegerField(), **fields}
    # One component per name: two views listing the same items share it.
    if name not in _ENVELOPES:
        _ENVELOPES[name] = inline_serializer(name=name, fields=fields)
    return _ENVELOPES[name]


_ENVELOPES: dict[str, serializers.Serializer] = {}
