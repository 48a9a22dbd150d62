"""Workplaces (lokasi kerja) with their geofences."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.organization.models import TIMEZONES, Employee, Unit


class Workplace(models.Model):
    """A place where check-ins count as "at the office".

    The geofence is a circle (centre + radius) or, when ``polygon`` is given,
    that polygon (a list of ``[latitude, longitude]`` points). Employees of
    ``unit`` and its sub-units may use it; ``employees`` adds people from
    elsewhere (someone assigned to several offices).
    """

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="workplaces",
        verbose_name=_("unit"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=40, choices=TIMEZONES, default="Asia/Jakarta"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=100)
    polygon = models.JSONField(
        _("polygon"),
        null=True,
        blank=True,
        help_text=_(
            "Optional list of [latitude, longitude] points; replaces the "
            "circle when given."
        ),
    )
    employees = models.ManyToManyField(
        Employee,
        blank=True,
        related_name="extra_workplaces",
        verbose_name=_("also assigned"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("Latitude must be between -90 and 90.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("Longitude must be between -180 and 180.")
        if self.radius_m is not None and not 5 <= self.radius_m <= 5000:
            errors["radius_m"] = _("The radius must be between 5 and 5,000 m.")
        if self.polygon is not None:
            points = self.polygon
            valid = (
                isinstance(points, list)
                and len(points) >= 3
                and all(
                    isinstance(p, list | tuple)
                    and len(p) == 2
                    and all(isinstance(c, int | float) for c in p)
                    and -90 <= p[0] <= 90
                    and -180 <= p[1] <= 180
                    for p in points
                )
            )
            if not valid:
                errors["polygon"] = _(
                    "A polygon is a list of at least three [latitude, longitude] "
                    "points."
                )
        if errors:
            raise ValidationError(errors)
