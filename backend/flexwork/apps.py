from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlexworkConfig(AppConfig):
    name = "backend.flexwork"
    label = "flexwork"
    verbose_name = _("Flexible work (fleksibilitas kerja)")
