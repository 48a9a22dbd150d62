"""Writes for the audit: appending to the log, reviewing check-ins.

``audit_record`` is the one way an audit entry comes to exist. Call it
inside the transaction of the change it records (it joins it). It locks
its chain's head row until the commit, so on a busy path it is best the
transaction's last write (the check-in service writes it after the feed's
events). The feed's own lock is taken only inside the commit
(``backend.activity.services``), after every row lock, so the two cannot
deadlock.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.attendance.models import CheckIn
from backend.audit.chain import entry_hash, normalise
from backend.audit.models import AuditChainHead, AuditEntry, CheckInReview
from backend.audit.selectors import can_review_checkin
from backend.lib.client_ip import valid_ip
from backend.lib.row_insert import insert_rows
from backend.organization.models import Employee
from backend.performance.models import ReportEvidence

Target = models.Model | tuple[str, Any] | None


_LABEL_LENGTH = AuditEntry._meta.get_field("actor_label").max_length or 200


def _employee_label(employee: Employee) -> str:
    """``name (NIP)``; a name too long for the label is shortened, the
    NIP always kept whole."""
    nip = f" ({employee.nip})"
    name = employee.name
    room = _LABEL_LENGTH - len(nip)
    if len(name) > room:
        name = name[: room - 1] + "\u2026"
    return name + nip


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, Employee):
        return actor.user_id, _employee_label(actor)
    if getattr(actor, "is_authenticated", False):
        return int(actor.pk), str(actor.get_username())
    return None, str(actor)[:200]


def _target(target: Target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        meta = target._meta
        return f"{meta.app_label}.{meta.model_name}", str(target.pk)
    kind, ident = target
    return str(kind), str(ident)


def chain_for(actor_id: int | None) -> int:
    """The chain (1..AUDIT_CHAINS) an actor's entries go to: always the same
    one for an actor, the first for the system."""
    return 1 + (actor_id or 0) % settings.AUDIT_CHAINS


def audit_record(
    *,
    actor: Any,
    action: str,
    target: Target,
    before: Any = None,
    after: Any = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit log, in the caller's transaction.

    ``actor`` is a user, an employee or None (the system); ``target`` a
    model instance or a ``(type, id)`` pair; ``before``/``after`` anything
    JSON-like (dates and decimals become strings). Rolls back with the
    caller's change.
    """
    actor_id, actor_label = _actor(actor)
    target_type, target_id = _target(target)
    before, after = normalise(before), normalise(after)
    ip = valid_ip(ip)
    # Joins the caller's transaction without a savepoint: a failure here
    # fails the whole change, which is what an unauditable change must do.
    with transaction.atomic(savepoint=False):
        # Every append locks its chain's head row, so two writers can never
        # both chain onto the same previous entry (no fork); writers of other
        # chains do not wait. On SQLite the IMMEDIATE transaction already
        # serialises writers; this is for PostgreSQL.
        chain = chain_for(actor_id)
        last_seq, last_hash = _lock_head(chain)
        seq = last_seq + 1
        at = timezone.now()
        digest = entry_hash(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            ip=ip,
            prev_hash=last_hash,
        )
        entry = AuditEntry(
            chain=chain,
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            ip=ip,
            prev_hash=last_hash,
            hash=digest,
        )
        # The fields are validated; uniqueness of seq and hash is the
        # database's to enforce (the head lock makes a clash impossible), so
        # the SELECTs of the unique checks are skipped on this hot path.
        entry.full_clean(validate_unique=False, validate_constraints=False)
        insert_rows(entry)
        _move_head(chain, seq, digest)
    return entry


# The head is read and moved on every append (every check-in): two fixed
# statements instead of the ORM's get_or_create and save.
_HEAD_TABLE = AuditChainHead._meta.db_table
_READ_HEAD = f"SELECT last_seq, last_hash FROM {_HEAD_TABLE} WHERE id = %s"  # noqa: S608
_MOVE_HEAD = f"UPDATE {_HEAD_TABLE} SET last_seq = %s, last_hash = %s WHERE id = %s"  # noqa: S608


def _lock_head(chain: int) -> tuple[int, str]:
    """The chain's last (seq, hash), its head row locked until commit."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_READ_HEAD + lock, [chain])
        row = cursor.fetchone()
    if row is None:
        # A chain's first entry ever.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=chain
        )
        return head.last_seq, head.last_hash
    return int(row[0]), str(row[1])


def _move_head(chain: int, seq: int, digest: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [seq, digest, chain])


_VERDICT_STATUS = {
    CheckInReview.Verdict.ACCEPT: CheckIn.Status.ACCEPTED,
    CheckInReview.Verdict.REJECT: CheckIn.Status.REJECTED,
}


def checkin_review(
    *,
    checkin: CheckIn,
    reviewer: Any,
    verdict: str,
    note: str = "",
    ip: str | None = None,
) -> CheckInReview:
    """Accept or reject a flagged check-in; a later call revises the verdict.

    The check-in's status becomes ``accepted`` or ``rejected`` (a rejected
    one no longer counts for attendance: ``days.counting_checkins``). Every
    call adds a ``CheckInReview`` row, an audit entry and a
    ``checkin.reviewed`` feed event; earlier rows stay as the history.
    Raises ``PermissionDenied`` outside the reviewer's scope and
    ``ValidationError`` for a rejection without a note.
    """
    note = note.strip()
    if verdict not in _VERDICT_STATUS:
        raise ValidationError({"verdict": _("Give accept or reject.")})
    if verdict == CheckInReview.Verdict.REJECT and not note:
        raise ValidationError({"note": _("Say why the check-in is rejected.")})
    with transaction.atomic():
        # Two reviewers deciding at once: each revision must see the one
        # before it, so the check-in row is locked for the decision.
        locked = (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "workplace")
            .get(pk=checkin.pk)
        )
        if not can_review_checkin(reviewer, locked):
            raise PermissionDenied
        status_before = locked.status
        status_after = _VERDICT_STATUS[CheckInReview.Verdict(verdict)]
        review = CheckInReview(
            checkin=locked,
            reviewer=reviewer,
            verdict=verdict,
            note=note,
            status_before=status_before,
            status_after=status_after,
            created_at=timezone.now(),
        )
        review.full_clean()
        review.save()
        locked.status = status_after
        locked.save(update_fields=["status"])
        audit_record(
            actor=reviewer,
            action="checkin.reviewed",
            target=locked,
            before={"status": status_before},
            after={
                "status": status_after,
                "verdict": verdict,
                "note": note,
                "review_id": review.pk,
            },
            ip=ip,
        )
        _checkin_reviewed_event(checkin=locked, reviewer=reviewer)
    checkin.status = status_after
    return review


def _checkin_reviewed_event(*, checkin: CheckIn, reviewer: Any) -> None:
    """Queue ``checkin.reviewed`` on the feed, in the review's transaction."""
    from backend.activity.services import checkin_reviewed_event

    actor = getattr(reviewer, "employee", None) or reviewer
    checkin_reviewed_event(checkin=checkin, reviewer=actor)


def photo_accessed(
    *, checkin: CheckIn, user: Any, variant: str, ip: str | None
) -> None:
    """Log that someone other than the employee opened a check-in photo
    (UU 27/2022: access to sensitive records is logged)."""
    if getattr(user, "pk", None) == checkin.employee.user_id:
        return
    audit_record(
        actor=user,
        action="photo.accessed",
        target=checkin,
        after={"variant": variant},
        ip=ip,
    )


def evidence_accessed(
    *, evidence: ReportEvidence, user: Any, variant: str, ip: str | None
) -> None:
    """Log that someone other than the report's employee opened an evidence
    photo (``photo.accessed``, ``variant`` "photo" or "thumbnail") or
    downloaded an evidence document (``document.accessed``), as for
    check-in photos."""
    if getattr(user, "pk", None) == evidence.report.employee.user_id:
        return
    is_document = evidence.kind == ReportEvidence.Kind.DOCUMENT
    audit_record(
        actor=user,
        action="document.accessed" if is_document else "photo.accessed",
        target=evidence,
        after={"variant": variant, "report_id": evidence.report_id},
        ip=ip,
    )
