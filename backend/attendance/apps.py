from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "backend.attendance"
    label = "attendance"
    verbose_name = _("Attendance (presensi)")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from backend.attendance.models import Workplace
        from backend.attendance.services import forget_workplaces

        for signal in (post_save, post_delete):
            signal.connect(
                forget_workplaces,
                sender=Workplace,
                dispatch_uid=f"workplace-cache-{id(signal)}",
            )
