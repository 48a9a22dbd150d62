"""What a drill compares after a fault: the rows, the files and the links
between them, read straight from the deployment's database and disk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tests.drills.deployment import Deployment

CHECKIN_TARGET = "attendance.checkin"


@dataclass
class Row:
    id: int
    username: str
    client_uuid: str
    photo: str
    photo_sha256: str


@dataclass
class Integrity:
    rows: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    rows_without_photo: list[int] = field(default_factory=list)
    sha256_mismatch: list[int] = field(default_factory=list)
    rows_without_audit: list[int] = field(default_factory=list)
    rows_without_event: list[int] = field(default_factory=list)
    audit_without_row: list[str] = field(default_factory=list)
    events_without_row: list[int] = field(default_factory=list)
    unreferenced_files: list[str] = field(default_factory=list)
    partial_files: list[str] = field(default_factory=list)

    def halves(self) -> dict[str, list[object]]:
        """Every kind of half-record, by name (all empty when sound)."""
        return {
            "rows_without_photo": list(self.rows_without_photo),
            "sha256_mismatch": list(self.sha256_mismatch),
            "rows_without_audit": list(self.rows_without_audit),
            "rows_without_event": list(self.rows_without_event),
            "audit_without_row": list(self.audit_without_row),
            "events_without_row": list(self.events_without_row),
            "partial_files": list(self.partial_files),
        }

    def count(self) -> int:
        return sum(len(found) for found in self.rows.values())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(deployed: Deployment) -> Integrity:
    found = Integrity()
    media = deployed.media_root
    with deployed.db() as db:
        rows = db.execute(
            """
            SELECT c.id, u.username, c.client_uuid::text, c.photo, c.photo_sha256
            FROM attendance_checkin c
            JOIN organization_employee e ON e.id = c.employee_id
            JOIN auth_user u ON u.id = e.user_id
            """
        ).fetchall()
        audited = {
            target_id
            for (target_id,) in db.execute(
                "SELECT target_id FROM audit_auditentry "
                "WHERE target_type = %s AND action = 'checkin.created'",
                [CHECKIN_TARGET],
            )
        }
        events = db.execute(
            "SELECT id, (data->>'checkin_id')::bigint FROM activity_activityevent "
            "WHERE type = 'checkin.created'"
        ).fetchall()
    ids = set()
    for row in (Row(*values) for values in rows):
        ids.add(row.id)
        found.rows.setdefault((row.username, row.client_uuid), []).append(row)
        path = media / row.photo
        if not path.is_file():
            found.rows_without_photo.append(row.id)
        elif sha256_of(path) != row.photo_sha256:
            found.sha256_mismatch.append(row.id)
        if str(row.id) not in audited:
            found.rows_without_audit.append(row.id)
    with_event = {checkin_id for _id, checkin_id in events}
    found.rows_without_event = sorted(ids - with_event)
    found.events_without_row = sorted(
        event_id for event_id, checkin_id in events if checkin_id not in ids
    )
    found.audit_without_row = sorted(t for t in audited if int(t) not in ids)
    referenced = {row.photo for rows in found.rows.values() for row in rows}
    for path in sorted(media.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(media).as_posix()
        if path.name.endswith(".part"):
            found.partial_files.append(relative)
        elif relative.startswith("checkins/") and relative not in referenced:
            found.unreferenced_files.append(relative)
    return found
