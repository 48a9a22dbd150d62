"""NIP (Nomor Induk Pegawai) parsing and validation.

A PNS NIP has 18 digits: birth date ``YYYYMMDD``, TMT CPNS ``YYYYMM``, sex
(``1`` male, ``2`` female) and a three-digit sequence, e.g.
``198609262015051001``. The layout of PPPK numbers is not officially
documented, so for them only the length, the digits and the embedded birth
date and appointment year are checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

PNS = "PNS"
PPPK = "PPPK"
_OLDEST_BIRTH_YEAR = 1940


@dataclass(frozen=True)
class ParsedNip:
    nip: str
    birth_date: dt.date
    tmt_year: int
    tmt_month: int | None
    sex: str | None  # "M" / "F" for PNS; unknown for PPPK


def parse_nip(value: str, *, status: str = PNS) -> ParsedNip:
    """Return the facts embedded in ``value`` or raise ``ValidationError``."""
    nip = (value or "").strip().replace(" ", "")
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        raise ValidationError(
            _("NIP must be exactly 18 digits (got %(length)d characters).")
            % {"length": len(nip)},
            code="nip_format",
        )
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("NIP digits 1-8 must be a valid birth date YYYYMMDD (got %(part)s).")
            % {"part": nip[0:8]},
            code="nip_birth_date",
        ) from None
    this_year = timezone.localdate().year
    if not _OLDEST_BIRTH_YEAR <= birth.year <= this_year - 15:
        raise ValidationError(
            _("NIP birth year %(year)d is not plausible.") % {"year": birth.year},
            code="nip_birth_date",
        )
    tmt_year = int(nip[8:12])
    if not birth.year + 15 <= tmt_year <= this_year + 1:
        raise ValidationError(
            _(
                "NIP digits 9-12 must be the appointment (TMT) year, at least "
                "15 years after birth (got %(part)s)."
            )
            % {"part": nip[8:12]},
            code="nip_tmt",
        )
    if status == PPPK:
        return ParsedNip(
            nip=nip, birth_date=birth, tmt_year=tmt_year, tmt_month=None, sex=None
        )
    tmt_month = int(nip[12:14])
    if not 1 <= tmt_month <= 12:
        raise ValidationError(
            _("NIP digits 13-14 must be the TMT CPNS month 01-12 (got %(part)s).")
            % {"part": nip[12:14]},
            code="nip_tmt",
        )
    sex_digit = nip[14]
    if sex_digit not in ("1", "2"):
        raise ValidationError(
            _("NIP digit 15 must be 1 (male) or 2 (female) (got %(digit)s).")
            % {"digit": sex_digit},
            code="nip_sex",
        )
    return ParsedNip(
        nip=nip,
        birth_date=birth,
        tmt_year=tmt_year,
        tmt_month=tmt_month,
        sex="M" if sex_digit == "1" else "F",
    )


def validate_nip_digits(value: str) -> None:
    """Field-level check that does not know the employee's status."""
    if len(value) != 18 or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("NIP must be exactly 18 digits (got %(length)d characters).")
            % {"length": len(value)},
            code="nip_format",
        )
