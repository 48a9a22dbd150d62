"""Activity events: the outbox of the live feed.

A row is written in the same transaction as the change it reports (a
check-in, later a report or a flexible-work request), so the feed can never
announce something that rolled back, nor miss something that committed.

Who may see an event is decided by *audience* columns copied from the
employee the event is about when it is written: their id, supervisor chain,
unit path and instansi, and whether it is a flagged item. "May this viewer
see it?" is then one indexed filter on the event table, with the rules of
``backend.organization.visibility`` (see ``backend.activity.audience``).
The actor columns are copied too: the feed shows what was true at the time.
"""

from __future__ import annotations

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from backend.organization.models import Employee, Instansi


class ActivityEvent(models.Model):
    class Type(models.TextChoices):
        CHECKIN_CREATED = "checkin.created", _("Check-in recorded")
        CHECKIN_FLAGGED = "checkin.flagged", _("Check-in flagged for review")
        CHECKIN_REVIEWED = "checkin.reviewed", _("Check-in reviewed")
        REPORT_SUBMITTED = "report.submitted", _("Daily report submitted")
        REPORT_REVIEWED = "report.reviewed", _("Daily report reviewed")
        FLEX_REQUESTED = "flex.requested", _("Flexible work requested")
        FLEX_DECIDED = "flex.decided", _("Flexible work request decided")

    # Ids grow in commit order (see services.event_record), so "every event
    # after id N" is a complete answer for a client that has seen N.
    id = models.BigAutoField(primary_key=True)
    type = models.CharField(_("type"), max_length=40, choices=Type.choices)
    at = models.DateTimeField(_("time"), db_index=True)

    actor_nip = models.CharField(_("actor NIP"), max_length=18, blank=True)
    actor_name = models.CharField(_("actor name"), max_length=200)
    actor_unit = models.CharField(_("actor unit"), max_length=200, blank=True)

    # The audience: whose records this event belongs to, as of writing.
    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="activity_events",
        verbose_name=_("employee"),
    )
    chain = models.CharField(max_length=512, db_index=True, editable=False)
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    instansi = models.ForeignKey(
        Instansi,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("instansi"),
    )
    flagged = models.BooleanField(_("flagged item"), default=False)

    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["instansi", "id"],
                condition=models.Q(flagged=True),
                name="activity_flagged_by_instansi",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type} {self.actor_name}"


def ids_final_at_insert() -> bool:
    """Is the id of an event just inserted its id for good? Not on
    PostgreSQL, where migration 0002 numbers each event again as its
    transaction commits (ids in commit order; see
    ``backend.activity.services``)."""
    return connection.vendor != "postgresql"
