"""The tamper-evident audit log and the human review of flagged check-ins.

``AuditEntry`` rows form a hash chain: each stores the hash of the entry
before it and its own hash over its content (``backend.audit.chain``), so an
edited, deleted or inserted entry breaks the chain where it happened
(``manage.py verify_audit_log``). The log is several independent chains
(``AUDIT_CHAINS``; an actor always appends to the same one), so concurrent
check-ins of different employees do not queue on one lock. Each chain has an
``AuditChainHead`` row (pk = chain number) holding its last sequence number
and hash: appends lock it, so a chain never forks, and it exposes a deleted
tail. Entries are only ever appended by
``backend.audit.services.audit_record``; the queryset refuses updates and
deletes, and the admin is read-only.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.attendance.models import CheckIn

GENESIS_HASH = "0" * 64


class AppendOnly(Exception):
    """Something tried to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("Audit entries are never updated.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnly("Audit entries are never deleted.")


class AuditChainHead(models.Model):
    """Where one chain ends; the primary key is the chain's number."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class AuditEntry(models.Model):
    chain = models.PositiveSmallIntegerField(_("chain"), default=1)
    # Sequence numbers are consecutive from 1 within a chain: a gap is a
    # deleted entry.
    seq = models.BigIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"), db_index=True)
    # Copied, not foreign keys: the log must outlive (and never be changed
    # by) the deletion of the user or the record it names.
    actor_id = models.BigIntegerField(_("actor user id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="audit_entry_chain_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.chain}#{self.seq} {self.action} {self.target_type}:{self.target_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("Audit entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("Audit entries are never deleted.")


class CheckInReview(models.Model):
    """One verdict on a flagged check-in. Revisions add rows; none is
    changed, so the history of a decision is all rows of its check-in."""

    class Verdict(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REJECT = "reject", _("Reject")

    checkin = models.ForeignKey(
        CheckIn,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("check-in"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="checkin_reviews",
        verbose_name=_("reviewer"),
    )
    verdict = models.CharField(_("verdict"), max_length=6, choices=Verdict.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    status_before = models.CharField(_("status before"), max_length=12)
    status_after = models.CharField(_("status after"), max_length=12)
    created_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("check-in review")
        verbose_name_plural = _("check-in reviews")
        ordering = ["checkin", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.checkin_id}: {self.verdict}"
