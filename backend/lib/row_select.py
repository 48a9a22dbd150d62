"""Read model instances joined along relations with one fixed statement.

The partner of ``row_insert``: a queryset compiles its SQL anew on every
evaluation (cloning, resolving joins, building the select list), and on the
morning rush a few lookups are paid by every request. A ``Columns`` gives
the select list of one model under a table alias, and turns its slice of a
result row back into an instance exactly as a queryset does: each value
through the backend's and the field's converters, then ``Model.from_db``.
The statement itself is written by the caller, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Columns:
    """The concrete columns of ``model`` under the table alias ``alias``."""

    model: type[models.Model]
    alias: str
    fields: tuple[models.Field[Any, Any], ...] = field(init=False)
    attnames: tuple[str, ...] = field(init=False)
    pk_index: int = field(init=False)
    _converted: dict[str, list[tuple[Any, list[Converter]]]] = field(
        init=False, default_factory=dict, compare=False
    )

    def __post_init__(self) -> None:
        fields = tuple(self.model._meta.concrete_fields)
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "attnames", tuple(f.attname for f in fields))
        pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
        object.__setattr__(self, "pk_index", pk_index)

    @property
    def width(self) -> int:
        return len(self.fields)

    def select_list(self, using: str = "default") -> str:
        quote = connections[using].ops.quote_name
        return ", ".join(f"{self.alias}.{quote(str(f.column))}" for f in self.fields)

    def column(self, name: str, using: str = "default") -> str:
        """``alias.column`` of the field ``name`` (a foreign key's own
        column; ``pk`` for the primary key)."""
        quote = connections[using].ops.quote_name
        meta = self.model._meta
        db_field = meta.pk if name == "pk" else meta.get_field(name)
        return f"{self.alias}.{quote(str(db_field.column))}"  # type: ignore[union-attr]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def _converters(self, using: str) -> list[tuple[Any, list[Converter]]]:
        known = self._converted.get(using)
        if known is not None:
            return known
        connection = connections[using]
        found = []
        for db_field in self.fields:
            col = db_field.get_col(self.alias)
            found.append(
                (
                    col,
                    connection.ops.get_db_converters(col)
                    + col.get_db_converters(connection),
                )
            )
        # Same result from any thread: a race only computes it twice.
        self._converted[using] = found
        return found

    def instance(
        self, row: Sequence[Any], start: int, using: str = "default"
    ) -> models.Model | None:
        """The instance in ``row[start:start + width]``; None when its primary
        key is NULL (an outer join that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self.pk_index] is None:
            return None
        connection = connections[using]
        for index, (col, converters) in enumerate(self._converters(using)):
            for convert in converters:
                values[index] = convert(values[index], col, connection)
        return self.model.from_db(using, list(self.attnames), values)
