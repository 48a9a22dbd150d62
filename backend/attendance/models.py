"""Workplaces (lokasi kerja) with their geofences."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.lib.geo import validate_polygon
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
            try:
                validate_polygon(self.polygon)
            except (TypeError, ValueError) as exc:
                errors["polygon"] = _(
                    "A polygon is a list of at least three [latitude, longitude] "
                    "points: %(problem)s"
                ) % {"problem": exc}
        if errors:
            raise ValidationError(errors)


class WorkSchedule(models.Model):
    """Working hours for a unit (and its sub-units) or for one workplace.

    The most specific schedule wins: the workplace's, then the employee's
    unit, then the nearest unit above it; with none, the national default
    (``backend.attendance.schedules.DEFAULT_SCHEDULE``). During a Ramadan
    period the ``ramadan`` variant is used when one exists.
    """

    class Variant(models.TextChoices):
        REGULAR = "regular", _("Regular")
        RAMADAN = "ramadan", _("Ramadan")

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("unit"),
    )
    workplace = models.ForeignKey(
        Workplace,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("workplace"),
    )
    variant = models.CharField(
        _("variant"), max_length=10, choices=Variant.choices, default=Variant.REGULAR
    )
    grace_minutes = models.PositiveSmallIntegerField(
        _("grace minutes"),
        default=0,
        help_text=_("Minutes after the start that do not yet count as late."),
    )

    class Meta:
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, workplace__isnull=True)
                    | models.Q(unit__isnull=True, workplace__isnull=False)
                ),
                name="schedule_for_unit_or_workplace",
            ),
            models.UniqueConstraint(
                fields=["unit", "variant"],
                condition=models.Q(unit__isnull=False),
                name="one_schedule_variant_per_unit",
            ),
            models.UniqueConstraint(
                fields=["workplace", "variant"],
                condition=models.Q(workplace__isnull=False),
                name="one_schedule_variant_per_workplace",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkScheduleDay(models.Model):
    """One weekday of a schedule; a weekday without a row is a day off."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    schedule = models.ForeignKey(
        WorkSchedule, on_delete=models.CASCADE, related_name="days"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=60)

    class Meta:
        verbose_name = _("schedule day")
        verbose_name_plural = _("schedule days")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "weekday"], name="one_row_per_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="schedule_day_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(models.Model):
    """A day off: national (no instansi) or for one instansi (cuti bersama)."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    instansi = models.ForeignKey(
        "organization.Instansi",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("instansi (empty: national)"),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "instansi"], name="one_holiday_per_day_and_instansi"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class RamadanPeriod(models.Model):
    """The Ramadan month of a year, when the shorter schedule applies."""

    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("Ramadan period")
        verbose_name_plural = _("Ramadan periods")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="ramadan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Ramadan {self.start:%Y}"


class CheckIn(models.Model):
    """A presensi masuk/pulang with its position, photo and verdict.

    Rows are written only by ``backend.attendance.services.checkin_create``;
    the photo file is durable on disk before the row commits, so a row never
    points at a missing file.
    """

    class Kind(models.TextChoices):
        IN = "in", _("Check-in (masuk)")
        OUT = "out", _("Check-out (pulang)")

    class Status(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        # Set by a reviewer (backend.audit.services.checkin_review).
        ACCEPTED = "accepted", _("Accepted after review")
        REJECTED = "rejected", _("Rejected after review")

    class Geofence(models.TextChoices):
        INSIDE = "inside", _("Inside")
        OUTSIDE = "outside", _("Outside")
        UNCERTAIN = "uncertain", _("Uncertain")

    class Mode(models.TextChoices):
        OFFICE = "office", _("Office")
        FLEXIBLE = "flexible", _("Flexible location")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="checkins",
        verbose_name=_("employee"),
    )
    client_uuid = models.UUIDField(_("client UUID"))
    # SHA-256 of the request's content, to tell a replay (same content: 200)
    # from a conflicting reuse of the same client_uuid (409).
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"))
    captured_at = models.DateTimeField(_("captured at (phone clock)"))
    received_at = models.DateTimeField(_("received at (server clock)"))
    local_date = models.DateField(_("date (workplace time)"))
    is_mock = models.BooleanField(_("mock location reported"), null=True)
    device_id = models.CharField(_("device"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    workplace = models.ForeignKey(
        Workplace,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("workplace"),
    )
    distance_m = models.FloatField(_("distance to workplace (m)"), null=True)
    geofence = models.CharField(_("geofence"), max_length=10, choices=Geofence.choices)
    mode = models.CharField(
        _("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFICE
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # [{"code", "severity", "params"}]; messages are rendered per language.
    flags = models.JSONField(_("flags"), default=list, blank=True)
    # Derived from ``flags`` when the row is written, so the audit queue can
    # sort by risk and filter by flag in the database (flags.risk_score).
    risk = models.PositiveSmallIntegerField(_("risk"), default=0)
    flag_codes = models.CharField(max_length=400, blank=True, default="")

    photo = models.FileField(_("photo"), max_length=200)
    photo_sha256 = models.CharField(max_length=64, db_index=True)
    photo_phash = models.CharField(max_length=16)
    # The perceptual hash in four 16-bit bands: two photos within Hamming
    # distance 3 share at least one band, so near-duplicate candidates come
    # from an index lookup instead of a scan.
    phash_band0 = models.CharField(max_length=4)
    phash_band1 = models.CharField(max_length=4)
    phash_band2 = models.CharField(max_length=4)
    phash_band3 = models.CharField(max_length=4)
    photo_format = models.CharField(max_length=8)
    photo_width = models.PositiveIntegerField()
    photo_height = models.PositiveIntegerField()
    photo_size = models.PositiveIntegerField()
    exif = models.JSONField(_("photo EXIF facts"), default=dict, blank=True)
    thumbnail = models.FileField(_("thumbnail"), max_length=200, blank=True)
    # Set when the retention command deleted the original file (the hashes,
    # EXIF facts and the thumbnail stay).
    photo_purged_at = models.DateTimeField(
        _("original photo purged at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-captured_at", "-id"]
        constraints = [
            # The idempotency key: concurrent sends of one check-in race on
            # this constraint, and exactly one row wins.
            models.UniqueConstraint(
                fields=["employee", "client_uuid"], name="one_checkin_per_client_uuid"
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "local_date"]),
            models.Index(fields=["employee", "captured_at"]),
            # Both cover the sharing checks (backend.attendance.checkin_reads):
            # the employees at a spot, or on a device, come from the index
            # alone, however many check-ins share it.
            models.Index(fields=["local_date", "latitude", "longitude", "employee"]),
            models.Index(fields=["device_id", "received_at", "employee"]),
            # The near-duplicate search (checkin_reads.first_phash_match)
            # reads its candidates from these alone: every value probed in a
            # band, those of the window, with their hash.
            models.Index(fields=["phash_band0", "received_at", "photo_phash"]),
            models.Index(fields=["phash_band1", "received_at", "photo_phash"]),
            models.Index(fields=["phash_band2", "received_at", "photo_phash"]),
            models.Index(fields=["phash_band3", "received_at", "photo_phash"]),
            models.Index(fields=["status", "local_date"]),
            models.Index(fields=["status", "-risk", "captured_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.kind} {self.captured_at:%Y-%m-%d %H:%M}"
