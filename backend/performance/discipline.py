"""PP 94/2021 thresholds for days absent without valid reason (TK) in a year.

3 -> teguran lisan; 4-6 -> teguran tertulis; 7-10 -> pernyataan tidak puas;
11-13 / 14-16 / 17-20 -> allowance cut 25% for 6 / 9 / 12 months; 21-24 ->
demotion; 25-27 -> removal from position; 28 or more, or 10 working days in a
row -> dismissal (DOMAIN.md, "Discipline"). The system only warns: sanctions
are decided by people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

# (first TK day of the level, level code), in increasing order.
THRESHOLDS: tuple[tuple[int, str], ...] = (
    (3, "teguran_lisan"),
    (4, "teguran_tertulis"),
    (7, "pernyataan_tidak_puas"),
    (11, "potongan_tunjangan_6_bulan"),
    (14, "potongan_tunjangan_9_bulan"),
    (17, "potongan_tunjangan_12_bulan"),
    (21, "penurunan_jabatan"),
    (25, "pembebasan_jabatan"),
    (28, "pemberhentian"),
)
DISMISSAL = "pemberhentian"
DISMISSAL_RUN = 10


@dataclass(frozen=True)
class DisciplineStatus:
    # the level reached ("" for none) and the next one, with how many more
    # TK days reach it (None past the last)
    level: str
    next_level: str | None
    days_to_next: int | None
    approaching: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "next_level": self.next_level,
            "days_to_next": self.days_to_next,
            "approaching": self.approaching,
        }


def discipline_status(*, tk_days: int, longest_run: int = 0) -> DisciplineStatus:
    """Where ``tk_days`` TK days in a year (and the longest run of them)
    stand against the thresholds. ``approaching`` when the next level is at
    most ``DISCIPLINE_WARN_DAYS`` away."""
    level = ""
    next_level: str | None = None
    days_to_next: int | None = None
    for first_day, code in THRESHOLDS:
        if tk_days >= first_day:
            level = code
        else:
            next_level, days_to_next = code, first_day - tk_days
            break
    if longest_run >= DISMISSAL_RUN:
        level, next_level, days_to_next = DISMISSAL, None, None
    approaching = (
        days_to_next is not None and days_to_next <= settings.DISCIPLINE_WARN_DAYS
    )
    return DisciplineStatus(level, next_level, days_to_next, approaching)
