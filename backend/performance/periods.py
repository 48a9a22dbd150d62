"""Evaluation periods: a month, a triwulan (quarter) or a year.

Written as ``2026-10`` (October 2026), ``2026-Q3`` (Triwulan III) and
``2026`` (the whole year): the form used by the API, the export command and
the stored rows (``kind`` + ``year`` + ``number``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_PATTERN = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")
_ROMAN = ("I", "II", "III", "IV")


class PeriodKind(models.TextChoices):
    MONTH = "month", gettext_lazy("Monthly")
    QUARTER = "quarter", gettext_lazy("Quarterly (triwulan)")
    YEAR = "year", gettext_lazy("Annual")


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    # the month (1-12), the quarter (1-4), or 0 for a year
    number: int

    @property
    def start(self) -> date:
        if self.kind == PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind == PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.kind == PeriodKind.MONTH:
            last_month = self.number
        elif self.kind == PeriodKind.QUARTER:
            last_month = 3 * self.number
        else:
            last_month = 12
        return date(
            self.year, last_month, calendar.monthrange(self.year, last_month)[1]
        )

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return _("Triwulan %(roman)s %(year)d") % {
                "roman": _ROMAN[self.number - 1],
                "year": self.year,
            }
        return self.code


def parse_period(text: str) -> Period:
    """``2026-10``, ``2026-Q3`` or ``2026``; ValueError with a user message."""
    match = _PATTERN.match(text.strip())
    if match is None:
        raise ValueError(
            _("A period is written 2026-10 (month), 2026-Q3 (triwulan) or 2026.")
        )
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(_("The year must be between 2000 and 2100."))
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(_("The month must be between 01 and 12."))
        return Period(PeriodKind.MONTH, year, month)
    if match.group(3):
        return Period(PeriodKind.QUARTER, year, int(match.group(3)))
    return Period(PeriodKind.YEAR, year, 0)
