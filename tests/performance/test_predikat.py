"""The Predikat Kinerja matrix, every cell, and period parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.performance.periods import parse_period
from backend.performance.predikat import predikat_for


@pytest.mark.parametrize(
    ("hasil", "perilaku", "predikat"),
    [
        ("di_atas", "di_bawah", "kurang"),
        ("di_atas", "sesuai", "baik"),
        ("di_atas", "di_atas", "sangat_baik"),
        ("sesuai", "di_bawah", "kurang"),
        ("sesuai", "sesuai", "baik"),
        ("sesuai", "di_atas", "baik"),
        ("di_bawah", "di_bawah", "sangat_kurang"),
        ("di_bawah", "sesuai", "butuh_perbaikan"),
        ("di_bawah", "di_atas", "butuh_perbaikan"),
    ],
)
def test_the_matrix_gives_each_cells_predikat(
    hasil: str, perilaku: str, predikat: str
) -> None:
    assert predikat_for(hasil_kerja=hasil, perilaku_kerja=perilaku) == predikat


def test_an_unknown_rating_is_an_error() -> None:
    with pytest.raises(ValueError):
        predikat_for(hasil_kerja="luar_biasa", perilaku_kerja="sesuai")


def test_it_parses_months_quarters_and_years() -> None:
    month = parse_period("2026-10")
    assert (month.start, month.end, month.code) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        "2026-10",
    )
    quarter = parse_period("2026-Q1")
    assert (quarter.start, quarter.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert "I" in quarter.label
    year = parse_period("2026")
    assert (year.start, year.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    for bad in ("2026-13", "2026-Q5", "26-10", "oktober"):
        with pytest.raises(ValueError):
            parse_period(bad)
