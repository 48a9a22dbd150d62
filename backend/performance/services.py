"""Writes for performance: plans (SKP), daily reports, reviews, feedback,
evaluations.

Every function here is the only way its rows change. Status flows:

- SKP: draft -> submitted -> agreed, or submitted -> returned -> submitted.
  Drafted by the employee, agreed (or returned) by its rater.
- Daily report: draft -> submitted -> approved, or submitted -> returned
  (with a comment) -> submitted again. Reviewed only by the employee's
  raters (``selectors.rater_ids``), never by the employee.

``report_create`` follows ``checkin_create``: everything that can refuse
the request happens before anything is written; evidence files are fsynced
before the row commits; ``client_uuid`` makes it idempotent, with the unique
constraint deciding between concurrent sends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.activity.services import event_record
from backend.attendance import verification
from backend.lib.geo import Point
from backend.lib.photos import PhotoFacts, PhotoRejected, inspect_photo
from backend.lib.refusals import ReplayConflict
from backend.organization.models import Employee
from backend.performance import signals, uploads
from backend.performance.models import (
    ActionPlan,
    Comment,
    DailyReport,
    Evaluation,
    Indicator,
    IndicatorRealisation,
    PredikatOverride,
    ReportEvidence,
    ReportReview,
    Rhk,
    Skp,
)
from backend.performance.periods import Period
from backend.performance.predikat import Predikat, predikat_for
from backend.performance.selectors import rater_ids
from backend.performance.uploads import EvidenceRejected

REPORT_SUBMITTED = "report.submitted"
REPORT_REVIEWED = "report.reviewed"


# --- plans (SKP) ---------------------------------------------------------


def skp_create(
    *,
    employee: Employee,
    year: int,
    rater: Employee | None = None,
    rhks: Sequence[dict[str, Any]] = (),
) -> Skp:
    """Draft an SKP with its RHK rows.

    ``rater`` defaults to the direct supervisor. Each item of ``rhks`` is
    ``{"kind", "text", "parent": Rhk | None, "indicators": [{"aspect",
    "text", "target", "unit"}], "action_plans": [{"month", "text",
    "target"}]}``. A ``parent`` (RHK atasan yang diintervensi) must be an
    RHK of the rater's SKP for the same year.
    """
    rater = rater or employee.supervisor
    if rater is None:
        raise ValidationError(
            {"rater": _("Name a rater: this employee has no direct supervisor.")}
        )
    with transaction.atomic():
        skp = Skp(employee=employee, year=year, rater=rater)
        skp.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                skp.save(force_insert=True)
        except IntegrityError:
            raise ValidationError(
                {"year": _("There is already an SKP for %(year)d.") % {"year": year}}
            ) from None
        for position, row in enumerate(rhks):
            rhk_add(skp=skp, position=position, **row)
    return skp


def rhk_add(
    *,
    skp: Skp,
    text: str,
    kind: str = Rhk.Kind.UTAMA,
    parent: Rhk | None = None,
    position: int = 0,
    indicators: Sequence[dict[str, Any]] = (),
    action_plans: Sequence[dict[str, Any]] = (),
) -> Rhk:
    """Add an RHK (with indicators and rencana aksi) to a draft or returned
    SKP."""
    if skp.status not in (Skp.Status.DRAFT, Skp.Status.RETURNED):
        raise ValidationError(_("Only a draft or returned SKP can be changed."))
    if parent is not None and (
        parent.skp.employee_id != skp.rater_id or parent.skp.year != skp.year
    ):
        raise ValidationError(
            {
                "parent": _(
                    "The RHK it supports must be one of the rater's RHK of the "
                    "same year."
                )
            }
        )
    with transaction.atomic():
        rhk = Rhk(skp=skp, kind=kind, text=text, parent=parent, position=position)
        rhk.full_clean()
        rhk.save()
        for item in indicators:
            indicator = Indicator(rhk=rhk, **item)
            indicator.full_clean()
            indicator.save()
        for item in action_plans:
            plan = ActionPlan(rhk=rhk, **item)
            plan.full_clean()
            plan.save()
    return rhk


def skp_submit(*, skp: Skp, by: Employee) -> Skp:
    """The employee sends their draft (or returned) SKP to the rater."""
    if by.pk != skp.employee_id:
        raise PermissionDenied
    with transaction.atomic():
        # Two taps on "submit" or a submit racing a review: one wins.
        skp = Skp.objects.select_for_update().get(pk=skp.pk)
        if skp.status not in (Skp.Status.DRAFT, Skp.Status.RETURNED):
            raise ValidationError(_("Only a draft or returned SKP can be submitted."))
        if not skp.rhks.filter(kind=Rhk.Kind.UTAMA).exists():
            raise ValidationError(_("An SKP needs at least one RHK utama."))
        skp.status = Skp.Status.SUBMITTED
        skp.submitted_at = timezone.now()
        skp.full_clean(validate_constraints=False)
        skp.save()
    return skp


def skp_review(
    *, skp: Skp, reviewer: Employee, decision: str, comment: str = ""
) -> Skp:
    """The rater agrees to a submitted SKP, or returns it with a comment."""
    if reviewer.pk != skp.rater_id or reviewer.pk == skp.employee_id:
        raise PermissionDenied
    if decision == "return" and not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    with transaction.atomic():
        skp = Skp.objects.select_for_update().get(pk=skp.pk)
        if skp.status != Skp.Status.SUBMITTED:
            raise ValidationError(_("Only a submitted SKP can be reviewed."))
        if decision == "agree":
            skp.status = Skp.Status.AGREED
            skp.agreed_at = timezone.now()
            skp.return_comment = ""
        elif decision == "return":
            skp.status = Skp.Status.RETURNED
            skp.return_comment = comment.strip()
        else:
            raise ValidationError({"decision": _("Choose agree or return.")})
        skp.full_clean(validate_constraints=False)
        skp.save()
    return skp


# --- daily reports ---------------------------------------------------------


class ReportConflict(ReplayConflict):
    """The client_uuid was used before for a different report (409)."""

    def __init__(self, existing: DailyReport) -> None:
        super().__init__(
            _("This client_uuid was already used for a different report."), existing
        )


@dataclass(frozen=True)
class ReportResult:
    report: DailyReport
    created: bool


@dataclass
class PhotoUpload:
    """An evidence photo with what the phone reports about it."""

    file: BinaryIO
    latitude: float
    longitude: float
    accuracy_m: float
    captured_at: dt.datetime
    name: str = ""


@dataclass
class EvidenceUploads:
    photos: list[PhotoUpload] = field(default_factory=list)
    documents: list[BinaryIO] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def _zone(employee: Employee) -> str:
    return employee.unit.instansi.timezone


def _fingerprint(fields: dict[str, Any], hashes: list[str]) -> str:
    canonical = json.dumps(
        {"fields": fields, "files": hashes}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _existing_report(employee: Employee, client_uuid: uuid.UUID) -> DailyReport | None:
    return (
        DailyReport.objects.select_related("employee__unit", "rhk__skp", "action_plan")
        .prefetch_related("evidence")
        .filter(employee=employee, client_uuid=client_uuid)
        .first()
    )


def _replay(existing: DailyReport, fingerprint: str) -> ReportResult:
    if existing.fingerprint != fingerprint:
        raise ReportConflict(existing)
    return ReportResult(report=existing, created=False)


def _check_claim(
    *,
    employee: Employee,
    day: dt.date,
    rhk: Rhk,
    action_plan: ActionPlan | None,
    now: dt.datetime,
) -> None:
    today = now.astimezone(ZoneInfo(_zone(employee))).date()
    errors: dict[str, str] = {}
    if day > today:
        errors["date"] = _("A report cannot be for a day still to come.")
    elif (today - day).days > settings.REPORT_MAX_AGE_DAYS:
        errors["date"] = _("Reports can be sent for the last %(days)d days only.") % {
            "days": settings.REPORT_MAX_AGE_DAYS
        }
    skp = rhk.skp
    if skp.employee_id != employee.pk:
        errors["rhk"] = _("This RHK is not on your SKP.")
    elif skp.year != day.year:
        errors["rhk"] = _("This RHK belongs to the SKP of another year.")
    elif skp.status != Skp.Status.AGREED:
        errors["rhk"] = _("The SKP of this RHK is not agreed by the rater yet.")
    if action_plan is not None and action_plan.rhk_id != rhk.pk:
        errors["action_plan"] = _("This rencana aksi belongs to another RHK.")
    if errors:
        raise ValidationError(errors)


def _read_evidence(
    uploads_in: EvidenceUploads, *, now: dt.datetime
) -> tuple[list[bytes], list[bytes]]:
    """The bytes of every file, after the count and total-size limits."""
    files = len(uploads_in.photos) + len(uploads_in.documents)
    if files > settings.REPORT_EVIDENCE_MAX_FILES:
        raise ValidationError(
            {
                "photos": _("At most %(count)d evidence files per report.")
                % {"count": settings.REPORT_EVIDENCE_MAX_FILES}
            }
        )
    if len(uploads_in.links) > settings.REPORT_EVIDENCE_MAX_LINKS:
        raise ValidationError(
            {
                "links": _("At most %(count)d links per report.")
                % {"count": settings.REPORT_EVIDENCE_MAX_LINKS}
            }
        )
    skew = dt.timedelta(seconds=settings.CHECKIN_CLOCK_SKEW_SECONDS)
    for photo in uploads_in.photos:
        if timezone.is_naive(photo.captured_at) or photo.captured_at > now + skew:
            raise ValidationError(
                {
                    "photos_meta": _(
                        "Each photo's captured_at needs a UTC offset and must "
                        "not be in the future."
                    )
                }
            )
    photos = [
        uploads.read_capped(photo.file, settings.PHOTO_MAX_BYTES)
        for photo in uploads_in.photos
    ]
    documents = [
        uploads.read_capped(document, settings.REPORT_DOCUMENT_MAX_BYTES)
        for document in uploads_in.documents
    ]
    total = sum(len(data) for data in [*photos, *documents])
    if total > settings.REPORT_EVIDENCE_MAX_TOTAL_BYTES:
        raise EvidenceRejected(
            413,
            "too_large",
            _("The evidence files together exceed %(mb).0f MB.")
            % {"mb": settings.REPORT_EVIDENCE_MAX_TOTAL_BYTES / (1024 * 1024)},
        )
    return photos, documents


def report_create(
    *,
    employee: Employee,
    client_uuid: uuid.UUID,
    date: dt.date,
    rhk: Rhk,
    description: str,
    output_quantity: Decimal,
    output_unit: str,
    start_time: dt.time,
    end_time: dt.time,
    work_mode: str,
    action_plan: ActionPlan | None = None,
    place_name: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    evidence: EvidenceUploads | None = None,
    submit: bool = True,
    now: dt.datetime | None = None,
) -> ReportResult:
    """Record a daily report with its evidence, submitted unless ``submit``
    is false; or return the one already recorded for ``client_uuid``.

    Raises ``ValidationError`` (bad field, RHK not on the employee's agreed
    SKP of that year), ``PhotoRejected`` / ``EvidenceRejected`` (400, 413,
    415), ``ReportConflict`` (same client_uuid, other content) and
    ``StorageFull``. On success the files are fsynced and the row committed,
    with a ``report.submitted`` feed event when submitted.
    """
    now = now or timezone.now()
    evidence = evidence or EvidenceUploads()
    photo_bytes, document_bytes = _read_evidence(evidence, now=now)
    fields = {
        "date": date.isoformat(),
        "rhk": rhk.pk,
        "action_plan": action_plan.pk if action_plan else None,
        "description": description,
        "output_quantity": str(Decimal(output_quantity).normalize()),
        "output_unit": output_unit,
        "start_time": start_time.isoformat(),
        "end_time": end_time.isoformat(),
        "work_mode": work_mode,
        "place_name": place_name,
        "latitude": latitude,
        "longitude": longitude,
        "submit": submit,
        "photos_meta": [
            [p.latitude, p.longitude, p.accuracy_m, p.captured_at.isoformat()]
            for p in evidence.photos
        ],
        "links": evidence.links,
    }
    hashes = [hashlib.sha256(data).hexdigest() for data in photo_bytes] + [
        "pdf:" + hashlib.sha256(data).hexdigest() for data in document_bytes
    ]
    fingerprint = _fingerprint(fields, hashes)
    existing = _existing_report(employee, client_uuid)
    if existing is not None:
        # A phone retrying after a lost answer: no second row, same body.
        return _replay(existing, fingerprint)

    _check_claim(employee=employee, day=date, rhk=rhk, action_plan=action_plan, now=now)
    report = DailyReport(
        employee=employee,
        client_uuid=client_uuid,
        fingerprint=fingerprint,
        date=date,
        rhk=rhk,
        action_plan=action_plan,
        description=description,
        output_quantity=output_quantity,
        output_unit=output_unit,
        start_time=start_time,
        end_time=end_time,
        work_mode=work_mode,
        place_name=place_name,
        latitude=latitude,
        longitude=longitude,
        status=DailyReport.Status.DRAFT,
    )
    report.full_clean(exclude=["fingerprint"], validate_constraints=False)

    zone = _zone(employee)
    facts: list[PhotoFacts] = [
        inspect_photo(
            data,
            max_bytes=settings.PHOTO_MAX_BYTES,
            max_pixels=settings.PHOTO_MAX_PIXELS,
        )
        for data in photo_bytes
    ]
    for data in document_bytes:
        uploads.check_pdf(data)
    rows = _evidence_rows(evidence, facts, now=now, zone=zone)

    written: list[str] = []
    try:
        for row, data, fact in zip(rows, photo_bytes, facts, strict=True):
            written.append(uploads.store(data, day=date, extension=fact.extension))
            row.file = written[-1]
        document_rows = [
            ReportEvidence(
                kind=ReportEvidence.Kind.DOCUMENT,
                mime_type=uploads.PDF_MIME,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                original_name=_name_of(upload)[:200],
            )
            for upload, data in zip(evidence.documents, document_bytes, strict=True)
        ]
        for row, data in zip(document_rows, document_bytes, strict=True):
            written.append(uploads.store(data, day=date, extension="pdf"))
            row.file = written[-1]
        link_rows = [
            ReportEvidence(kind=ReportEvidence.Kind.LINK, url=url)
            for url in evidence.links
        ]
        all_rows = [*rows, *document_rows, *link_rows]
        claim = _claim_of(report)
        if submit:
            report.status = DailyReport.Status.SUBMITTED
            report.submitted_at = now
            report.signals = signals.report_signals(claim, all_rows, timezone=zone)
        with transaction.atomic():
            report.save(force_insert=True)
            for position, row in enumerate(all_rows):
                row.report = report
                row.position = position
                row.full_clean(exclude=["report"], validate_constraints=False)
                row.save(force_insert=True)
            if submit:
                # The feed's event commits or rolls back with the report.
                _feed_event(REPORT_SUBMITTED, actor=employee, report=report)
    except IntegrityError:
        uploads.discard(written)
        # Lost the race against a concurrent send of the same report: the
        # unique constraint kept one row; answer with that one.
        winner = _existing_report(employee, client_uuid)
        if winner is None:
            raise
        return _replay(winner, fingerprint)
    except BaseException:
        uploads.discard(written)
        raise
    return ReportResult(report=report, created=True)


def _name_of(upload: Any) -> str:
    return str(getattr(upload, "name", "") or "")


def _evidence_rows(
    evidence: EvidenceUploads,
    facts: list[PhotoFacts],
    *,
    now: dt.datetime,
    zone: str,
) -> list[ReportEvidence]:
    rows = []
    for photo, fact in zip(evidence.photos, facts, strict=True):
        flags = signals.evidence_photo_flags(
            signals.EvidencePhoto(
                facts=fact,
                position=Point(photo.latitude, photo.longitude),
                accuracy_m=photo.accuracy_m,
                captured_at=photo.captured_at,
            ),
            now=now,
            timezone=zone,
        )
        bands = verification.phash_bands(fact.phash)
        rows.append(
            ReportEvidence(
                kind=ReportEvidence.Kind.PHOTO,
                mime_type=fact.mime_type,
                size=fact.size_bytes,
                sha256=fact.sha256,
                phash=fact.phash,
                phash_band0=bands[0],
                phash_band1=bands[1],
                phash_band2=bands[2],
                phash_band3=bands[3],
                original_name=(photo.name or _name_of(photo.file))[:200],
                latitude=photo.latitude,
                longitude=photo.longitude,
                accuracy_m=photo.accuracy_m,
                captured_at=photo.captured_at,
                exif=fact.exif_dict(),
                flags=flags,
            )
        )
    return rows


def _claim_of(report: DailyReport) -> signals.Claim:
    place = (
        Point(report.latitude, report.longitude)
        if report.latitude is not None and report.longitude is not None
        else None
    )
    return signals.Claim(
        employee=report.employee,
        date=report.date,
        start_time=report.start_time,
        end_time=report.end_time,
        work_mode=report.work_mode,
        place_name=report.place_name,
        place=place,
    )


def report_submit(
    *,
    report: DailyReport,
    by: Employee,
    description: str | None = None,
    output_quantity: Decimal | None = None,
    output_unit: str | None = None,
) -> DailyReport:
    """Submit a draft, or resubmit a returned report (optionally corrected).

    The signals are computed again: a check-in sent since may have settled
    the attendance question.
    """
    if by.pk != report.employee_id:
        raise PermissionDenied
    with transaction.atomic():
        # A resubmit racing a review of the same report: one at a time.
        locked = DailyReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in (DailyReport.Status.DRAFT, DailyReport.Status.RETURNED):
            raise ValidationError(
                _("Only a draft or returned report can be submitted.")
            )
        if description is not None:
            locked.description = description
        if output_quantity is not None:
            locked.output_quantity = output_quantity
        if output_unit is not None:
            locked.output_unit = output_unit
        locked.employee = by
        locked.status = DailyReport.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.signals = signals.report_signals(
            _claim_of(locked), list(locked.evidence.all()), timezone=_zone(by)
        )
        locked.full_clean(validate_constraints=False)
        locked.save()
        _feed_event(REPORT_SUBMITTED, actor=by, report=locked)
    return locked


def report_review(
    *, report: DailyReport, reviewer: Employee, decision: str, comment: str = ""
) -> DailyReport:
    """Approve a submitted report, or return it with a comment.

    Only the employee's raters may review (``PermissionDenied`` otherwise),
    and nobody their own report.
    """
    if reviewer.pk == report.employee_id or reviewer.pk not in rater_ids(
        report.employee, report.rhk.skp
    ):
        raise PermissionDenied
    comment = comment.strip()
    if decision == ReportReview.Decision.RETURN and not comment:
        raise ValidationError(
            {"comment": _("Say why the report is returned, so it can be fixed.")}
        )
    if decision not in ReportReview.Decision.values:
        raise ValidationError({"decision": _("Choose approve or return.")})
    with transaction.atomic():
        # Two raters (supervisor and pejabat penilai) deciding at once: the
        # row lock makes the second see the first one's decision.
        locked = (
            DailyReport.objects.select_for_update()
            .select_related("employee__unit")
            .get(pk=report.pk)
        )
        if locked.status != DailyReport.Status.SUBMITTED:
            raise ValidationError(
                _("Only a submitted report can be reviewed; it is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        now = timezone.now()
        locked.status = (
            DailyReport.Status.APPROVED
            if decision == ReportReview.Decision.APPROVE
            else DailyReport.Status.RETURNED
        )
        locked.reviewed_at = now
        locked.reviewed_by = reviewer
        locked.review_comment = comment
        locked.full_clean(validate_constraints=False)
        locked.save()
        review = ReportReview(
            report=locked, reviewer=reviewer, decision=decision, comment=comment, at=now
        )
        review.full_clean()
        review.save()
        _feed_event(REPORT_REVIEWED, actor=reviewer, report=locked)
    return locked


def _feed_event(type: str, *, actor: Employee, report: DailyReport) -> None:
    """Record ``report.submitted`` / ``report.reviewed`` on the live feed.

    The one call into the activity app: the event commits with the report
    and is published after commit. It is about the report's employee, so
    their supervisors and unit admins see it.
    """
    event_record(
        type=type,
        actor=actor,
        about=report.employee,
        data={
            "report_id": report.pk,
            "date": report.date.isoformat(),
            "status": report.status,
            "rhk": report.rhk.text[:200],
            "description": report.description[:200],
            "output": f"{report.output_quantity.normalize():f} {report.output_unit}",
            "work_mode": report.work_mode,
            "comment": report.review_comment if type == REPORT_REVIEWED else "",
            "signals": report.signals,
        },
    )


# --- feedback --------------------------------------------------------------


def comment_create(
    *,
    author: Any,
    text: str,
    report: DailyReport | None = None,
    rhk: Rhk | None = None,
) -> Comment:
    """Umpan balik on a report or an RHK; the view checks who may see it."""
    employee = getattr(author, "employee", None)
    comment = Comment(
        author=author,
        author_name=employee.name if employee else author.get_username(),
        report=report,
        rhk=rhk,
        text=text.strip(),
        created_at=timezone.now(),
    )
    comment.full_clean()
    comment.save()
    return comment


# --- evaluation ------------------------------------------------------------


def evaluation_record(
    *,
    rater: Employee,
    employee: Employee,
    period: Period,
    rating_hasil_kerja: str,
    rating_perilaku_kerja: str,
    realisations: Sequence[dict[str, Any]] = (),
    perilaku_notes: dict[str, str] | None = None,
    predikat_override: str | None = None,
    override_reason: str = "",
) -> Evaluation:
    """Record (or correct) the rater's evaluation of ``employee`` for
    ``period``.

    The predikat follows the matrix (``backend.performance.predikat``);
    ``predikat_override`` replaces it only with an ``override_reason``, and
    every override (and every change of one) leaves a ``PredikatOverride``
    row with who, when, why and the previous value. Only the employee's
    raters may evaluate, against the employee's agreed SKP of that year.
    ``realisations`` are ``{"indicator": Indicator, "realisation":
    Decimal, "note": str}`` for indicators of that SKP.
    """
    skp = (
        Skp.objects.filter(employee=employee, year=period.year)
        .select_related("rater")
        .first()
    )
    if rater.pk == employee.pk or rater.pk not in rater_ids(employee, skp):
        raise PermissionDenied
    if skp is None or skp.status != Skp.Status.AGREED:
        raise ValidationError(
            _("The employee has no agreed SKP for %(year)d.") % {"year": period.year}
        )
    matrix = predikat_for(
        hasil_kerja=rating_hasil_kerja, perilaku_kerja=rating_perilaku_kerja
    )
    reason = override_reason.strip()
    overridden = predikat_override not in (None, "", matrix)
    if overridden:
        if predikat_override not in Predikat.values:
            raise ValidationError({"predikat_override": _("Unknown predikat.")})
        if not reason:
            raise ValidationError(
                {"override_reason": _("An override of the predikat needs a reason.")}
            )
    predikat = str(predikat_override) if overridden else matrix
    indicator_ids = set(
        Indicator.objects.filter(rhk__skp=skp).values_list("pk", flat=True)
    )
    for item in realisations:
        if item["indicator"].pk not in indicator_ids:
            raise ValidationError(
                {"realisations": _("An indicator is not on this SKP.")}
            )
    now = timezone.now()
    user = rater.user
    with transaction.atomic():
        # Two raters saving at once: the later one sees the earlier's row.
        evaluation = (
            Evaluation.objects.select_for_update()
            .of_period(period)
            .filter(employee=employee)
            .first()
        )
        previous = evaluation.predikat if evaluation else ""
        previous_reason = evaluation.override_reason if evaluation else ""
        was_overridden = bool(evaluation and evaluation.is_overridden)
        if evaluation is None:
            evaluation = Evaluation(
                employee=employee,
                period_kind=period.kind,
                year=period.year,
                number=period.number,
                recorded_at=now,
            )
        evaluation.skp = skp
        evaluation.rater = rater
        evaluation.rating_hasil_kerja = rating_hasil_kerja
        evaluation.rating_perilaku_kerja = rating_perilaku_kerja
        evaluation.perilaku_notes = perilaku_notes or {}
        evaluation.predikat_matrix = matrix
        evaluation.predikat = predikat
        evaluation.override_reason = reason if overridden else ""
        evaluation.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                evaluation.save()
        except IntegrityError:
            raise ValidationError(
                _("The evaluation was just recorded by someone else; reload it.")
            ) from None
        # History whenever an override starts, changes or is withdrawn.
        if (overridden or was_overridden) and (
            previous != predikat or previous_reason != evaluation.override_reason
        ):
            history = PredikatOverride(
                evaluation=evaluation,
                changed_by=user,
                at=now,
                previous=previous,
                matrix=matrix,
                new=predikat,
                reason=reason or _("Override withdrawn: back to the matrix."),
            )
            history.full_clean()
            history.save()
        for item in realisations:
            IndicatorRealisation.objects.update_or_create(
                evaluation=evaluation,
                indicator=item["indicator"],
                defaults={
                    "realisation": item["realisation"],
                    "note": item.get("note", ""),
                },
            )
    return evaluation


__all__ = [
    "REPORT_REVIEWED",
    "REPORT_SUBMITTED",
    "EvidenceRejected",
    "EvidenceUploads",
    "PhotoRejected",
    "PhotoUpload",
    "ReportConflict",
    "ReportResult",
    "comment_create",
    "evaluation_record",
    "report_create",
    "report_review",
    "report_submit",
    "rhk_add",
    "skp_create",
    "skp_review",
    "skp_submit",
]
