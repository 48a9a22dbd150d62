"""The performance cycle (PermenPAN-RB 6/2022): plans, daily reports with
evidence, continuous feedback and periodic evaluation.

- ``Skp``: one plan per employee per year, with its rater (pejabat penilai)
  and ``Rhk`` rows (utama / tambahan), each with its ``Indicator`` rows and
  ``ActionPlan`` steps (rencana aksi) per month.
- ``DailyReport``: a laporan kinerja harian against an RHK, with
  ``ReportEvidence`` (photos, PDFs, links) and ``ReportReview`` decisions.
- ``Comment``: umpan balik on a report or an RHK.
- ``Evaluation``: the rater's ratings for a period, with
  ``IndicatorRealisation`` rows and ``PredikatOverride`` history.

Rows are written only by ``backend.performance.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.organization.models import Employee
from backend.performance.periods import Period, PeriodKind
from backend.performance.predikat import Predikat, Rating


class Skp(models.Model):
    """Sasaran Kinerja Pegawai: drafted by the employee, agreed by the rater."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the rater")
        AGREED = "agreed", _("Agreed")
        RETURNED = "returned", _("Returned for changes")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="skps",
        verbose_name=_("employee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rater = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="rated_skps",
        verbose_name=_("rater (pejabat penilai)"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_comment = models.TextField(_("reason for returning"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SKP")
        verbose_name_plural = _("SKP")
        ordering = ["-year", "employee__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "year"], name="one_skp_per_employee_year"
            ),
            models.CheckConstraint(
                condition=~models.Q(rater=models.F("employee")),
                name="skp_rater_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"SKP {self.year} {self.employee}"

    def clean(self) -> None:
        if self.rater_id is not None and self.rater_id == self.employee_id:
            raise ValidationError({"rater": _("Nobody can be their own rater.")})


class Rhk(models.Model):
    """Rencana Hasil Kerja: one row of an SKP."""

    class Kind(models.TextChoices):
        UTAMA = "utama", _("Utama")
        TAMBAHAN = "tambahan", _("Tambahan")

    skp = models.ForeignKey(
        Skp, on_delete=models.CASCADE, related_name="rhks", verbose_name=_("SKP")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.UTAMA
    )
    text = models.TextField(_("rencana hasil kerja"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporting",
        verbose_name=_("RHK atasan yang diintervensi"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("RHK")
        verbose_name_plural = _("RHK")
        ordering = ["skp", "kind", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Indicator(models.Model):
    """Indikator Kinerja Individu of an RHK, with its target."""

    class Aspect(models.TextChoices):
        QUANTITY = "kuantitas", _("Kuantitas")
        QUALITY = "kualitas", _("Kualitas")
        TIME = "waktu", _("Waktu")
        COST = "biaya", _("Biaya")

    rhk = models.ForeignKey(
        Rhk, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("RHK")
    )
    aspect = models.CharField(_("aspect"), max_length=10, choices=Aspect.choices)
    text = models.CharField(_("indicator"), max_length=500)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=60)

    class Meta:
        verbose_name = _("indicator (IKI)")
        verbose_name_plural = _("indicators (IKI)")
        ordering = ["rhk", "id"]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}: {self.text}"


class ActionPlan(models.Model):
    """Rencana Aksi: a step of an RHK planned for one month."""

    rhk = models.ForeignKey(
        Rhk,
        on_delete=models.CASCADE,
        related_name="action_plans",
        verbose_name=_("RHK"),
    )
    month = models.PositiveSmallIntegerField(_("month"))
    text = models.CharField(_("rencana aksi"), max_length=500)
    target = models.CharField(_("target"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rencana aksi")
        verbose_name_plural = _("rencana aksi")
        ordering = ["rhk", "month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="action_plan_month_1_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:02d}: {self.text[:60]}"


class WorkMode(models.TextChoices):
    OFFICE = "office", _("Office")
    FLEXIBLE = "flexible", _("Flexible / field work")


class DailyReport(models.Model):
    """A laporan kinerja harian: work done on one day towards an RHK."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="daily_reports",
        verbose_name=_("employee"),
    )
    client_uuid = models.UUIDField(_("client UUID"))
    # SHA-256 of the request's content: a replay (same content) answers 200,
    # a different use of the same client_uuid 409.
    fingerprint = models.CharField(max_length=64)
    date = models.DateField(_("date"))
    rhk = models.ForeignKey(
        Rhk, on_delete=models.PROTECT, related_name="reports", verbose_name=_("RHK")
    )
    action_plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("rencana aksi"),
    )
    description = models.TextField(_("description"))
    output_quantity = models.DecimalField(
        _("output quantity"), max_digits=12, decimal_places=2
    )
    output_unit = models.CharField(_("output unit"), max_length=60)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    work_mode = models.CharField(
        _("work mode"), max_length=10, choices=WorkMode.choices
    )
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.FloatField(_("claimed latitude"), null=True, blank=True)
    longitude = models.FloatField(_("claimed longitude"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # [{"code", "severity", "params"}] for the reviewer: evidence support and
    # the attendance of the day, computed when the report is (re)submitted.
    signals = models.JSONField(_("signals"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_reports",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date", "-id"]
        constraints = [
            # The idempotency key: concurrent sends of one report race on it.
            models.UniqueConstraint(
                fields=["employee", "client_uuid"], name="one_report_per_client_uuid"
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="report_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "date"]),
            models.Index(fields=["status", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.date}: {self.description[:40]}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("Give both latitude and longitude, or neither.")
        if self.output_quantity is not None and self.output_quantity < 0:
            errors["output_quantity"] = _("The output quantity cannot be negative.")
        if errors:
            raise ValidationError(errors)


class ReportEvidence(models.Model):
    """Bukti dukung: a photo or PDF stored privately, or a link."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document (PDF)")
        LINK = "link", _("Link")

    report = models.ForeignKey(
        DailyReport,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("report"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    file = models.FileField(_("file"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    mime_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    phash = models.CharField(max_length=16, blank=True)
    phash_band0 = models.CharField(max_length=4, blank=True, db_index=True)
    phash_band1 = models.CharField(max_length=4, blank=True, db_index=True)
    phash_band2 = models.CharField(max_length=4, blank=True, db_index=True)
    phash_band3 = models.CharField(max_length=4, blank=True, db_index=True)
    # What the phone reported for a photo: where and when it was taken.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    exif = models.JSONField(_("photo EXIF facts"), default=dict, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence (bukti dukung)")
        verbose_name_plural = _("evidence (bukti dukung)")
        ordering = ["report", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ReportReview(models.Model):
    """One decision on a report: the history behind its current status."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        RETURN = "return", _("Return")

    report = models.ForeignKey(
        DailyReport,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("report"),
    )
    reviewer = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.report_id}"


class Comment(models.Model):
    """Umpan balik berkelanjutan: a comment on a report or on an RHK."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author name"), max_length=200)
    report = models.ForeignKey(
        DailyReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("report"),
    )
    rhk = models.ForeignKey(
        Rhk,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("RHK"),
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("comment (umpan balik)")
        verbose_name_plural = _("comments (umpan balik)")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(report__isnull=False, rhk__isnull=True)
                    | models.Q(report__isnull=True, rhk__isnull=False)
                ),
                name="comment_on_report_or_rhk",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def of_period(self, period: Period) -> EvaluationQuerySet:
        return self.filter(
            period_kind=period.kind, year=period.year, number=period.number
        )


class Evaluation(models.Model):
    """The rater's evaluation of one employee for one period."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("employee"),
    )
    skp = models.ForeignKey(
        Skp, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("SKP")
    )
    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # month 1-12, quarter 1-4, 0 for the year
    number = models.PositiveSmallIntegerField(_("number"))
    rater = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="given_evaluations",
        verbose_name=_("rater"),
    )
    rating_hasil_kerja = models.CharField(
        _("rating hasil kerja"), max_length=10, choices=Rating.choices
    )
    rating_perilaku_kerja = models.CharField(
        _("rating perilaku kerja"), max_length=10, choices=Rating.choices
    )
    # {"berorientasi_pelayanan": "...", ...}: the rater's notes per BerAKHLAK
    # value (and "ekspektasi_khusus").
    perilaku_notes = models.JSONField(_("BerAKHLAK notes"), default=dict, blank=True)
    predikat_matrix = models.CharField(
        _("predikat (matrix)"), max_length=16, choices=Predikat.choices
    )
    predikat = models.CharField(_("predikat"), max_length=16, choices=Predikat.choices)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year", "period_kind", "-number", "employee__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period_kind", "year", "number"],
                name="one_evaluation_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.year}/{self.period_kind}/{self.number}"

    @property
    def is_overridden(self) -> bool:
        return self.predikat != self.predikat_matrix


class IndicatorRealisation(models.Model):
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="realisations",
        verbose_name=_("evaluation"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="realisations",
        verbose_name=_("indicator"),
    )
    realisation = models.DecimalField(_("realisation"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("realisation")
        verbose_name_plural = _("realisations")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="one_realisation_per_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.realisation}"


class PredikatOverride(models.Model):
    """History of predikat overrides: who, when, why, and what it was before.

    Kept here until the audit log exists; a later issue moves these into the
    hash-chained log.
    """

    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="overrides",
        verbose_name=_("evaluation"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("time"))
    previous = models.CharField(_("previous predikat"), max_length=16, blank=True)
    matrix = models.CharField(_("predikat by the matrix"), max_length=16)
    new = models.CharField(_("new predikat"), max_length=16)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("predikat override")
        verbose_name_plural = _("predikat overrides")
        ordering = ["evaluation", "at", "id"]

    def __str__(self) -> str:
        return f"{self.previous} -> {self.new}"
