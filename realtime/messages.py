"""The JSON the feed sends (docs/realtime.md has the contract)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from backend.activity.models import ActivityEvent
from backend.activity.selectors import TeamSummary
from backend.attendance.flags import KINDS, Names, render_flags


def event_message(
    event: ActivityEvent,
    *,
    base_url: str = "",
    raw: bool = False,
    for_subject: bool = False,
    names: Names | None = None,
) -> dict[str, Any]:
    """``{"id", "type", "at", "actor", "data"}``, flags put into words in the
    active language and the thumbnail as a URL (``raw``: data as stored).

    ``for_subject``: the reader is the employee the event is about, who is
    not told which other employees a flag names; nor is a reader who may not
    see one of them (``names``; none given: names no one; flags.render_flags).
    """
    data = dict(event.data)
    if raw and "flags" in data:
        data["flags"] = [
            _unnamed(flag) if not _may_name(flag, for_subject, names) else flag
            for flag in data["flags"]
        ]
    if not raw:
        if "flags" in data:
            data["flags"] = render_flags(
                data["flags"], for_subject=for_subject, names=names
            )
        if "checkin_id" in data:
            data["thumbnail_url"] = base_url + reverse(
                "mobile_api:checkin-thumbnail", kwargs={"pk": data["checkin_id"]}
            )
    return {
        "id": event.pk,
        "type": event.type,
        "at": timezone.localtime(event.at).isoformat(),
        "actor": {
            "nip": event.actor_nip,
            "name": event.actor_name,
            "unit": event.actor_unit,
        },
        "data": data,
    }


def _may_name(flag: Any, for_subject: bool, names: Names | None) -> bool:
    """Whether a stored flag may be sent with its parameters as they are."""
    if not isinstance(flag, dict):
        return False
    kind = KINDS.get(flag.get("code", ""))
    if kind is None or kind.subject_message is None:
        return True
    params = flag.get("params")
    return (
        not for_subject
        and names is not None
        and isinstance(params, dict)
        and names.may_name(params)
    )


def _unnamed(flag: Any) -> Any:
    if not isinstance(flag, dict):
        return {}
    return {k: v for k, v in flag.items() if k != "params"}


def summary_message(summary: TeamSummary) -> dict[str, Any]:
    return {
        "type": "summary",
        "data": {
            "date": summary.date.isoformat(),
            "total": summary.total,
            "present": summary.present,
            "late": summary.late,
            "absent": summary.absent,
            "flexible": summary.flexible,
            "flagged": summary.flagged,
        },
    }


def truncated_message(after: int, message: str) -> dict[str, Any]:
    return {"type": "replay.truncated", "data": {"after": after, "message": message}}


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "data": {"code": code, "message": message}}
