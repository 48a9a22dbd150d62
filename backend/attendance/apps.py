from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "backend.attendance"
    label = "attendance"
    verbose_name = _("Attendance (presensi)")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from backend.attendance.models import (
            Holiday,
            RamadanPeriod,
            Workplace,
            WorkSchedule,
            WorkScheduleDay,
        )
        from backend.attendance.schedules import forget_schedules
        from backend.attendance.services import forget_workplaces

        for signal in (post_save, post_delete):
            signal.connect(
                forget_workplaces,
                sender=Workplace,
                dispatch_uid=f"workplace-cache-{id(signal)}",
            )
            # A check-in's schedule flags are stored with it: a new holiday
            # or changed hours apply from the next check-in on.
            for model in (WorkSchedule, WorkScheduleDay, Holiday, RamadanPeriod):
                signal.connect(
                    forget_schedules,
                    sender=model,
                    dispatch_uid=f"schedule-cache-{model.__name__}-{id(signal)}",
                )
