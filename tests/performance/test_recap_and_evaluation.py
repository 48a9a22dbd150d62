"""Plans' status flow, evaluations with the predikat and its override, the
period recap on a hand-checked month, and the PP 94/2021 thresholds."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from backend.organization.models import Employee
from backend.performance import services
from backend.performance.discipline import discipline_status
from backend.performance.models import DailyReport, PredikatOverride, Skp
from backend.performance.periods import parse_period
from backend.performance.recap import period_recap
from tests.factories import CheckInFactory, agreed_skp

WIB = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=WIB)


# --- plans ----------------------------------------------------------------


def test_an_skp_goes_from_draft_to_agreed_through_its_rater(org: Any) -> None:
    skp = services.skp_create(
        employee=org.alice,
        year=2026,
        rhks=[{"text": "Layanan mutasi", "indicators": [], "action_plans": []}],
    )
    assert (skp.status, skp.rater) == (Skp.Status.DRAFT, org.bob)
    with pytest.raises(PermissionDenied):
        services.skp_submit(skp=skp, by=org.bob)
    skp = services.skp_submit(skp=skp, by=org.alice)
    assert skp.status == Skp.Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.skp_review(skp=skp, reviewer=org.dina, decision="agree")
    with pytest.raises(ValidationError):
        services.skp_review(skp=skp, reviewer=org.bob, decision="return")
    skp = services.skp_review(
        skp=skp, reviewer=org.bob, decision="return", comment="Tambah IKI"
    )
    assert (skp.status, skp.return_comment) == (Skp.Status.RETURNED, "Tambah IKI")
    skp = services.skp_submit(skp=skp, by=org.alice)
    skp = services.skp_review(skp=skp, reviewer=org.bob, decision="agree")
    assert skp.status == Skp.Status.AGREED and skp.agreed_at is not None
    with pytest.raises(ValidationError):
        services.rhk_add(skp=skp, text="Terlambat ditambah")


def test_an_rhk_supports_one_of_the_raters_rhk_of_the_same_year(org: Any) -> None:
    bob_skp = agreed_skp(org.bob, rater=org.dina, rhk_text="Mutasi tepat waktu")
    charlie_skp = agreed_skp(org.charlie, rhk_text="Layanan kesehatan")
    skp = services.skp_create(employee=org.alice, year=2026)
    rhk = services.rhk_add(skp=skp, text="Verifikasi", parent=bob_skp.rhks.get())
    assert rhk.parent == bob_skp.rhks.get()
    with pytest.raises(ValidationError):
        services.rhk_add(skp=skp, text="Salah", parent=charlie_skp.rhks.get())


def test_one_skp_per_employee_and_year(org: Any) -> None:
    services.skp_create(employee=org.alice, year=2026)
    with pytest.raises(ValidationError):
        services.skp_create(employee=org.alice, year=2026)


# --- evaluation -----------------------------------------------------------


def test_the_rater_records_an_evaluation_and_the_predikat_follows_the_matrix(
    org: Any,
) -> None:
    skp = agreed_skp(org.alice)
    indicator = skp.rhks.get().indicators.get()
    evaluation = services.evaluation_record(
        rater=org.bob,
        employee=org.alice,
        period=parse_period("2026-10"),
        rating_hasil_kerja="di_atas",
        rating_perilaku_kerja="di_atas",
        realisations=[{"indicator": indicator, "realisation": Decimal(130)}],
        perilaku_notes={"akuntabel": "Tepat waktu"},
    )
    assert evaluation.predikat == evaluation.predikat_matrix == "sangat_baik"
    assert evaluation.realisations.get().realisation == 130
    assert not PredikatOverride.objects.exists()


def test_only_raters_evaluate_and_never_themselves(org: Any) -> None:
    agreed_skp(org.alice)
    for rater in (org.alice, org.dina, org.erik):
        with pytest.raises(PermissionDenied):
            services.evaluation_record(
                rater=rater,
                employee=org.alice,
                period=parse_period("2026-Q3"),
                rating_hasil_kerja="sesuai",
                rating_perilaku_kerja="sesuai",
            )


def test_an_override_needs_a_reason_and_leaves_history(org: Any) -> None:
    agreed_skp(org.alice)
    period = parse_period("2026")
    common = {
        "rater": org.bob,
        "employee": org.alice,
        "period": period,
        "rating_hasil_kerja": "sesuai",
        "rating_perilaku_kerja": "sesuai",
    }
    with pytest.raises(ValidationError) as caught:
        services.evaluation_record(**common, predikat_override="sangat_baik")
    assert "override_reason" in caught.value.message_dict
    evaluation = services.evaluation_record(
        **common,
        predikat_override="sangat_baik",
        override_reason="Capaian luar biasa pada program prioritas",
    )
    assert (evaluation.predikat_matrix, evaluation.predikat) == ("baik", "sangat_baik")
    assert evaluation.is_overridden
    # saving the same again leaves no second history row
    services.evaluation_record(
        **common,
        predikat_override="sangat_baik",
        override_reason="Capaian luar biasa pada program prioritas",
    )
    withdrawn = services.evaluation_record(**common)
    assert withdrawn.predikat == "baik" and not withdrawn.is_overridden
    history = list(PredikatOverride.objects.order_by("id"))
    assert [(h.previous, h.matrix, h.new) for h in history] == [
        ("", "baik", "sangat_baik"),
        ("sangat_baik", "baik", "baik"),
    ]
    assert history[0].changed_by == org.bob.user
    assert history[0].reason == "Capaian luar biasa pada program prioritas"


# --- the recap of a hand-checked month ------------------------------------


def _report(employee: Employee, skp: Skp, day: int, status: str) -> None:
    result = services.report_create(
        employee=employee,
        client_uuid=uuid.uuid4(),
        date=dt.date(2026, 11 if day > 0 else 10, abs(day)),
        rhk=skp.rhks.get(),
        description="Verifikasi berkas",
        output_quantity=Decimal(3),
        output_unit="dokumen",
        start_time=dt.time(8),
        end_time=dt.time(11),
        work_mode="office",
        now=at(13, 18, 0),
    )
    if status in ("approved", "returned"):
        services.report_review(
            report=result.report,
            reviewer=employee.supervisor,  # type: ignore[arg-type]
            decision="approve" if status == "approved" else "return",
            comment="Perbaiki",
        )


def test_the_period_recap_adds_up_a_hand_checked_month(org: Any) -> None:
    alice = org.alice
    # Registered on Monday 2 November: nothing before counts.
    Employee.objects.filter(pk=alice.pk).update(created_at=at(2, 8, 0))
    alice.refresh_from_db()
    # Default schedule: Mon-Thu 07:30-16:00, Fri 07:30-16:30, no grace.
    days = {
        2: ((7, 25), (16, 5)),  # H
        3: ((7, 45), (16, 0)),  # TL, 15 minutes late
        4: ((7, 30), (15, 30)),  # PSW, 30 minutes early
        # 5: nothing -> TK
        6: ((7, 20), (16, 30)),  # H (Friday ends 16:30)
        # 9, 10: nothing -> TK, TK
        11: ((7, 30), (16, 0)),
        12: ((7, 30), (16, 0)),
        13: ((7, 30), (16, 30)),
    }
    # Day 12 from an approved flexible-work location: H, with FWA.
    flexible = {12}
    for day, (check_in, check_out) in days.items():
        mode = "flexible" if day in flexible else "office"
        CheckInFactory(
            employee=alice, kind="in", captured_at=at(day, *check_in), mode=mode
        )
        CheckInFactory(employee=alice, kind="out", captured_at=at(day, *check_out))
    skp = agreed_skp(alice)
    for day, status in (
        (2, "approved"),
        (3, "approved"),
        (4, "returned"),
        (6, "submitted"),
        (-30, "approved"),  # 30 October: another period
    ):
        _report(alice, skp, day, status)

    recap = period_recap(alice, parse_period("2026-11"), now=at(13, 18, 0))
    attendance = recap.attendance
    assert attendance.working_days == 10
    assert attendance.days_present == 7
    assert (attendance.days_tl, attendance.days_psw, attendance.days_tk) == (1, 1, 3)
    assert attendance.days_fwa == 1
    assert recap.as_dict()["attendance"]["days_fwa"] == 1
    assert (attendance.minutes_late, attendance.minutes_early) == (15, 30)
    assert attendance.tk_days_year == 3
    assert attendance.tk_longest_run == 2
    assert attendance.discipline.level == "teguran_lisan"
    assert attendance.discipline.next_level == "teguran_tertulis"
    assert attendance.discipline.days_to_next == 1
    assert attendance.discipline.approaching
    reports = recap.reports
    assert (reports.approved, reports.returned, reports.submitted) == (2, 1, 1)
    assert reports.total == 4
    assert DailyReport.objects.count() == 5


@pytest.mark.parametrize(
    ("tk_days", "run", "level", "next_level", "days_to_next"),
    [
        (0, 0, "", "teguran_lisan", 3),
        (2, 1, "", "teguran_lisan", 1),
        (3, 1, "teguran_lisan", "teguran_tertulis", 1),
        (6, 1, "teguran_tertulis", "pernyataan_tidak_puas", 1),
        (10, 1, "pernyataan_tidak_puas", "potongan_tunjangan_6_bulan", 1),
        (20, 1, "potongan_tunjangan_12_bulan", "penurunan_jabatan", 1),
        (27, 1, "pembebasan_jabatan", "pemberhentian", 1),
        (28, 1, "pemberhentian", None, None),
        (10, 10, "pemberhentian", None, None),
    ],
)
def test_it_places_tk_days_against_the_pp_94_thresholds(
    tk_days: int, run: int, level: str, next_level: str | None, days_to_next: int | None
) -> None:
    status = discipline_status(tk_days=tk_days, longest_run=run)
    assert (status.level, status.next_level, status.days_to_next) == (
        level,
        next_level,
        days_to_next,
    )


def test_the_unit_view_counts_each_members_reports_in_a_fixed_number_of_queries(
    org: Any, django_assert_max_num_queries: Any
) -> None:
    from backend.performance.selectors import team_evaluations

    skp = agreed_skp(org.alice, rater=org.bob)
    _report(org.alice, skp, 3, "approved")
    _report(org.alice, skp, 4, "returned")
    _report(org.alice, skp, 5, "submitted")
    _report(org.alice, skp, -30, "approved")  # 30 October: outside the period
    november = parse_period("2026-11")

    with django_assert_max_num_queries(6):
        rows = team_evaluations(org.dina.user, november)
    by_nip = {row.employee.nip: row for row in rows}
    assert set(by_nip) == {org.bob.nip, org.alice.nip}
    assert by_nip[org.alice.nip].reports == {
        "submitted": 1,
        "approved": 1,
        "returned": 1,
    }
    assert by_nip[org.bob.nip].reports == {"submitted": 0, "approved": 0, "returned": 0}
    assert by_nip[org.alice.nip].evaluation is None
