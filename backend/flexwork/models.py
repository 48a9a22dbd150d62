"""Flexible work by location (fleksibilitas kerja lokasi).

An employee asks for one or more days at another office of the instansi,
their registered home (domisili) or another place (position, radius,
address); their supervisor decides. An approved request makes its place a
geofence for those days (``selectors.approved_locations``). The rules (days
a week, sanction, new placement, share of a unit) are ``FlexPolicy`` rows
per instansi, with the defaults below when an instansi has none.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.attendance.models import Workplace
from backend.organization.models import Employee, Instansi


class FlexPolicy(models.Model):
    """The flexible-work rules of one instansi (DOMAIN.md, "Flexible work")."""

    instansi = models.OneToOneField(
        Instansi,
        on_delete=models.CASCADE,
        related_name="flex_policy",
        verbose_name=_("instansi"),
    )
    enabled = models.BooleanField(_("flexible work by location allowed"), default=True)
    max_days_per_week = models.PositiveSmallIntegerField(
        _("maximum location days per week"),
        default=2,
        validators=[MaxValueValidator(7)],
    )
    exclude_under_sanction = models.BooleanField(
        _("exclude employees under disciplinary sanction"), default=True
    )
    new_placement_months = models.PositiveSmallIntegerField(
        _("months after placement before flexible work"),
        default=12,
        help_text=_(
            "Newly placed employees (placement date less than this many months "
            "ago) are excluded; 0 turns the rule off."
        ),
    )
    unit_share_percent = models.PositiveSmallIntegerField(
        _("share of a unit's staff per day (%)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    home_radius_m = models.PositiveIntegerField(
        _("radius around the home (m)"),
        default=100,
        validators=[MinValueValidator(5), MaxValueValidator(5000)],
    )
    max_radius_m = models.PositiveIntegerField(
        _("largest radius of another place (m)"),
        default=300,
        validators=[MinValueValidator(5), MaxValueValidator(5000)],
    )

    class Meta:
        verbose_name = _("flexible-work policy")
        verbose_name_plural = _("flexible-work policies")

    def __str__(self) -> str:
        return str(self.instansi)


class FlexRequest(models.Model):
    class LocationType(models.TextChoices):
        OTHER_OFFICE = "other_office", _("Another office of the instansi")
        HOME = "home", _("Registered home (domisili)")
        OTHER = "other", _("Another place")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="flex_requests",
        verbose_name=_("employee"),
    )
    location_type = models.CharField(
        _("location type"), max_length=12, choices=LocationType.choices
    )
    workplace = models.ForeignKey(
        Workplace,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flex_requests",
        verbose_name=_("other office"),
    )
    # The circle of a home or another place (copied from the domisili when
    # requested, so a later change of address does not move approved days).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flexible-work request")
        verbose_name_plural = _("flexible-work requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["employee", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(location_type="other_office", workplace__isnull=False)
                    | (
                        models.Q(
                            workplace__isnull=True,
                            latitude__isnull=False,
                            longitude__isnull=False,
                            radius_m__isnull=False,
                        )
                        & ~models.Q(location_type="other_office")
                    )
                ),
                name="flex_request_location_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_location_type_display()}"

    def clean(self) -> None:
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError(
                {"latitude": _("Latitude must be between -90 and 90.")}
            )
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError(
                {"longitude": _("Longitude must be between -180 and 180.")}
            )


class FlexDay(models.Model):
    """One date of a request; employee and date copied for the rules'
    queries (days per week, unit share, the check-in lookup)."""

    request = models.ForeignKey(
        FlexRequest, on_delete=models.CASCADE, related_name="days"
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="flex_days"
    )
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("flexible-work day")
        verbose_name_plural = _("flexible-work days")
        ordering = ["date"]
        indexes = [models.Index(fields=["employee", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "date"], name="flex_day_once_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date}"


class FlexDecision(models.Model):
    """One decision on a request; a changed mind adds a row."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    request = models.ForeignKey(
        FlexRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="flex_decisions",
        verbose_name=_("decided by"),
    )
    decision = models.CharField(_("decision"), max_length=7, choices=Decision.choices)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("flexible-work decision")
        verbose_name_plural = _("flexible-work decisions")
        ordering = ["request", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.decision}"
