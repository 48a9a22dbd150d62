"""The API's list pagination: cursors, newest first; numbered pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class NewestFirstPagination(CursorPagination):
    """Cursor pagination that answers a cursor it did not make with a 400
    naming ``cursor``, as any other malformed query value is answered: one
    that does not decode (DRF answers 404) and one that decodes to a
    position the ordering field cannot hold (the database layer refuses
    it). Subclasses give the ``ordering``."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise self._refused() from None

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except DjangoValidationError:
            if not request.query_params.get(self.cursor_query_param):
                raise
            raise self._refused() from None

    @staticmethod
    def _refused() -> serializers.ValidationError:
        return serializers.ValidationError(
            {
                "cursor": [
                    _(
                        "This is not a cursor of this list; start again from "
                        "the first page."
                    )
                ]
            }
        )


class NumberedPagination(PageNumberPagination):
    """Numbered pages (with a count), whose refusal of a page the list does
    not have, malformed or past the end, is a 400 naming ``page`` (DRF
    answers 404)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise serializers.ValidationError(
                {"page": [_("This list has no such page.")]}
            ) from None
