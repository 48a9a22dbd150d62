from __future__ import annotations

from datetime import date, time
from typing import Any

from django.test import Client

from backend.attendance.models import Holiday, RamadanPeriod, WorkSchedule
from tests.attendance.builders import schedule


def test_the_admin_lists_and_edits_schedules_holidays_and_ramadan(org: Any) -> None:
    row = schedule(unit=org.mutasi)
    holiday = Holiday.objects.create(date=date(2025, 1, 27), name="Isra Mikraj")
    ramadan = RamadanPeriod.objects.create(
        start=date(2025, 3, 1), end=date(2025, 3, 30)
    )
    client = Client()
    client.force_login(org.root)
    for url in (
        "/admin/attendance/workschedule/",
        "/admin/attendance/workschedule/add/",
        f"/admin/attendance/workschedule/{row.pk}/change/",
        "/admin/attendance/holiday/",
        f"/admin/attendance/holiday/{holiday.pk}/change/",
        "/admin/attendance/ramadanperiod/",
        f"/admin/attendance/ramadanperiod/{ramadan.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_admin_adds_a_schedule_with_its_days(org: Any) -> None:
    client = Client()
    client.force_login(org.root)
    prefix = "days"
    response = client.post(
        "/admin/attendance/workschedule/add/",
        {
            "name": "Puskesmas",
            "unit": org.dinkes.pk,
            "workplace": "",
            "variant": "regular",
            "grace_minutes": 10,
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 7,
            f"{prefix}-0-weekday": 5,
            f"{prefix}-0-start": "07:30",
            f"{prefix}-0-end": "12:00",
            f"{prefix}-0-break_minutes": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = WorkSchedule.objects.get(name="Puskesmas")
    assert [(d.weekday, d.start) for d in created.days.all()] == [(5, time(7, 30))]
