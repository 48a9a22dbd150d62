from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from backend.organization.nip import PPPK, parse_nip


def test_it_parses_the_embedded_facts_of_a_pns_nip() -> None:
    parsed = parse_nip("198609262015051001")
    assert parsed.birth_date == dt.date(1986, 9, 26)
    assert (parsed.tmt_year, parsed.tmt_month) == (2015, 5)
    assert parsed.sex == "M"


def test_it_reads_sex_digit_two_as_female() -> None:
    assert parse_nip("198609262015052001").sex == "F"


def test_it_ignores_spaces_that_people_type_between_the_groups() -> None:
    assert parse_nip("19860926 201505 1 001").nip == "198609262015051001"


@pytest.mark.parametrize(
    ("nip", "code", "fragment"),
    [
        ("19860926201505100", "nip_format", "18 digits"),
        ("1986092620150510011", "nip_format", "18 digits"),
        ("19860926201505100A", "nip_format", "18 digits"),
        ("\uff11\uff19" + "8" * 16, "nip_format", "18 digits"),  # full-width
        ("198613262015051001", "nip_birth_date", "19861326"),
        ("198602302015051001", "nip_birth_date", "19860230"),
        ("189001012015051001", "nip_birth_date", "1890"),
        ("198609261990051001", "nip_tmt", "1990"),
        ("198609262015131001", "nip_tmt", "13"),
        ("198609262015001001", "nip_tmt", "00"),
        ("198609262015053001", "nip_sex", "3"),
        ("198609262015050001", "nip_sex", "0"),
    ],
)
def test_it_rejects_a_bad_nip_with_a_message_naming_the_fault(
    nip: str, code: str, fragment: str
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_nip(nip)
    assert caught.value.code == code
    assert fragment in caught.value.messages[0]


def test_it_checks_only_length_digits_and_dates_for_pppk_numbers() -> None:
    parsed = parse_nip("199001012023211001", status=PPPK)
    assert parsed.birth_date == dt.date(1990, 1, 1)
    assert parsed.tmt_year == 2023
    assert parsed.sex is None
    with pytest.raises(ValidationError):
        parse_nip("199013012023211001", status=PPPK)


def test_employee_creation_refuses_a_bad_nip_naming_the_field(org) -> None:  # type: ignore[no-untyped-def]
    from backend.organization import services

    with pytest.raises(ValidationError) as caught:
        services.employee_create(nip="198613262015051001", name="X", unit=org.bkd)
    assert "nip" in caught.value.message_dict
