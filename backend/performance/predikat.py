"""Ratings and the Predikat Kinerja matrix (PermenPAN-RB 6/2022).

The rater gives a Rating Hasil Kerja and a Rating Perilaku Kerja, each
*Di Atas*, *Sesuai* or *Di Bawah Ekspektasi*; the predikat follows from the
pair (DOMAIN.md, "Performance"):

| hasil kerja \\ perilaku | Di Bawah          | Sesuai          | Di Atas         |
|-------------------------|-------------------|-----------------|-----------------|
| Di Atas                 | Kurang/Misconduct | Baik            | Sangat Baik     |
| Sesuai                  | Kurang/Misconduct | Baik            | Baik            |
| Di Bawah                | Sangat Kurang     | Butuh Perbaikan | Butuh Perbaikan |

This is the one place for that rule.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    ABOVE = "di_atas", _("Di Atas Ekspektasi")
    MEETS = "sesuai", _("Sesuai Ekspektasi")
    BELOW = "di_bawah", _("Di Bawah Ekspektasi")


class Predikat(models.TextChoices):
    SANGAT_BAIK = "sangat_baik", _("Sangat Baik")
    BAIK = "baik", _("Baik")
    BUTUH_PERBAIKAN = "butuh_perbaikan", _("Butuh Perbaikan")
    KURANG = "kurang", _("Kurang/Misconduct")
    SANGAT_KURANG = "sangat_kurang", _("Sangat Kurang")


# (rating hasil kerja, rating perilaku kerja) -> predikat
MATRIX: dict[tuple[str, str], str] = {
    (Rating.ABOVE, Rating.BELOW): Predikat.KURANG,
    (Rating.ABOVE, Rating.MEETS): Predikat.BAIK,
    (Rating.ABOVE, Rating.ABOVE): Predikat.SANGAT_BAIK,
    (Rating.MEETS, Rating.BELOW): Predikat.KURANG,
    (Rating.MEETS, Rating.MEETS): Predikat.BAIK,
    (Rating.MEETS, Rating.ABOVE): Predikat.BAIK,
    (Rating.BELOW, Rating.BELOW): Predikat.SANGAT_KURANG,
    (Rating.BELOW, Rating.MEETS): Predikat.BUTUH_PERBAIKAN,
    (Rating.BELOW, Rating.ABOVE): Predikat.BUTUH_PERBAIKAN,
}


def predikat_for(*, hasil_kerja: str, perilaku_kerja: str) -> str:
    """The predikat of a pair of ratings; ValueError for an unknown rating."""
    try:
        return MATRIX[(Rating(hasil_kerja), Rating(perilaku_kerja))]
    except ValueError:
        raise ValueError(
            f"unknown rating pair: {hasil_kerja!r}, {perilaku_kerja!r}"
        ) from None
