"""The API's list pagination: cursors, newest first; numbered pages.

Both answer a position the list did not give out with a 400 naming the
query parameter, as any other malformed query value is answered, where
DRF answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

Items = QuerySet[Any] | Sequence[Any]


class _PageSizes:
    page_size: int | None = 50
    max_page_size: int | None = 200
    page_size_query_param: str | None = "page_size"

    @classmethod
    def _page_size_parameter(cls) -> OpenApiParameter:
        return OpenApiParameter(
            cls.page_size_query_param or "page_size",
            OpenApiTypes.INT,
            description=f"items per page, at most {cls.max_page_size} "
            f"(default {cls.page_size})",
        )


def _refused(parameter: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({parameter: [message]})


def _a_time_in_utc(position: object) -> bool:
    """False for a position that reads as a time but cannot be moved to UTC;
    True for anything else (what is not a time is the ordering field's to
    judge)."""
    if not isinstance(position, str):
        return True
    try:
        moment = parse_datetime(position)
    except ValueError:
        return True
    if moment is None:
        return True
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return False
    return True


class NewestFirstPagination(_PageSizes, CursorPagination):
    """Cursors. One the list did not make is refused whether it does not
    decode or decodes to a position the ordering field cannot hold (the
    database layer refuses it). Subclasses give the ``ordering``."""

    @classmethod
    def schema_parameters(cls) -> list[OpenApiParameter]:
        """The query parameters of a list paged this way, for the schema
        of a view that pages by hand."""
        return [
            OpenApiParameter(
                cls.cursor_query_param,
                OpenApiTypes.STR,
                description="the position of a page, as the next and previous "
                "links of the page before give it",
            ),
            cls._page_size_parameter(),
        ]

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._refused() from None
        if cursor is not None and not _a_time_in_utc(cursor.position):
            # A time at the calendar's ends: SQLite's layer overflows moving
            # it to UTC, PostgreSQL would take it; refused on both.
            raise self._refused()
        return cursor

    def paginate_queryset(
        self, queryset: Items, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, OverflowError):
            # OverflowError: a time at the calendar's ends, moved to UTC.
            if not request.query_params.get(self.cursor_query_param):
                raise
            raise self._refused() from None

    def _refused(self) -> serializers.ValidationError:
        return _refused(
            self.cursor_query_param,
            _("This is not a cursor of this list; start again from the first page."),
        )


class NumberedPagination(_PageSizes, PageNumberPagination):
    """Numbered pages with a count. A page the list does not have,
    malformed or past the last, is refused."""

    @classmethod
    def schema_parameters(cls) -> list[OpenApiParameter]:
        """The query parameters of a list paged this way, for the schema
        of a view that pages by hand."""
        return [
            OpenApiParameter(
                cls.page_query_param, OpenApiTypes.INT, description="from 1"
            ),
            cls._page_size_parameter(),
        ]

    def paginate_queryset(
        self, queryset: Items, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise _refused(
                self.page_query_param, _("This list has no such page.")
            ) from None
