"""A day at the BKD for the desk pages' tests: workplaces, check-ins (one
flagged per OPD), a submitted daily report and a pending flexible-work
request, on Wednesday 25 November 2026 at 09:00 WIB."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from backend.accounts.services import consent_accept
from backend.attendance.flags import flag_codes_text, make_flag, risk_score
from backend.attendance.models import CheckIn, Workplace
from tests.factories import CheckInFactory, agreed_skp

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)
TODAY = NOW.date()
BKD_OFFICE = (0.507930, 101.449550)


def browser_for(user: Any, *, csrf: bool = False) -> Client:
    """A logged-in browser session that has accepted the privacy notice."""
    consent_accept(user=user)
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def checkin(
    employee: Any,
    *,
    at: dt.datetime,
    flags: list[Any] | None = None,
    workplace: Workplace | None = None,
    **fields: Any,
) -> CheckIn:
    flags = flags or []
    return CheckInFactory(
        employee=employee,
        captured_at=at,
        workplace=workplace,
        flags=flags,
        risk=risk_score(flags),
        flag_codes=flag_codes_text(flags),
        status=CheckIn.Status.NEEDS_REVIEW if flags else CheckIn.Status.VERIFIED,
        **fields,
    )


def build_day(org: Any) -> SimpleNamespace:
    from backend.flexwork.services import flex_request_create
    from backend.performance.services import report_create

    bkd = Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(BKD_OFFICE[0]),
        longitude=str(BKD_OFFICE[1]),
        radius_m=80,
    )
    dinkes = Workplace.objects.create(
        name="Kantor Dinkes",
        unit=org.dinkes,
        latitude="0.509920",
        longitude="101.451540",
        radius_m=80,
        polygon=[[0.5095, 101.4511], [0.5095, 101.4519], [0.5103, 101.4519]],
    )
    alice_in = checkin(
        org.alice,
        at=NOW.replace(hour=7, minute=20),
        workplace=bkd,
        latitude=0.50795,
        longitude=101.44956,
    )
    bob_late = checkin(org.bob, at=NOW.replace(hour=8, minute=5), workplace=bkd)
    alice_flagged = checkin(
        org.alice,
        at=NOW.replace(hour=8, minute=30),
        workplace=bkd,
        flags=[make_flag("mock_location")],
        exif={"latitude": 43.47, "longitude": 11.88},
    )
    charlie_flagged = checkin(
        org.charlie,
        at=NOW.replace(hour=7, minute=10),
        workplace=dinkes,
        flags=[make_flag("accuracy_poor", accuracy=250, limit=100)],
        geofence=CheckIn.Geofence.OUTSIDE,
    )
    kampar_flagged = checkin(
        org.kampar_staff,
        at=NOW.replace(hour=7, minute=15),
        flags=[make_flag("accuracy_zero")],
    )
    skp = agreed_skp(org.alice, rater=org.bob)
    report = report_create(
        employee=org.alice,
        client_uuid=uuid.uuid4(),
        date=TODAY - dt.timedelta(days=1),
        rhk=skp.rhks.get(),
        description="Verifikasi berkas usulan mutasi",
        output_quantity=Decimal(3),
        output_unit="dokumen",
        start_time=dt.time(8),
        end_time=dt.time(11),
        work_mode="office",
        now=NOW,
    ).report
    flex = flex_request_create(
        employee=org.alice,
        dates=[TODAY + dt.timedelta(days=7)],
        location_type="other",
        reason="Mendampingi verifikasi lapangan",
        latitude=0.52,
        longitude=101.45,
        radius_m=100,
        address="Kantor Camat Tampan",
    )
    return SimpleNamespace(
        bkd=bkd,
        dinkes=dinkes,
        alice_in=alice_in,
        bob_late=bob_late,
        alice_flagged=alice_flagged,
        charlie_flagged=charlie_flagged,
        kampar_flagged=kampar_flagged,
        report=report,
        flex=flex,
    )
