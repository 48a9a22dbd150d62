"""The outbox: check-ins write their feed events in their own transaction,
and the events are published only after it commits."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from backend.activity.models import ActivityEvent, ids_final_at_insert
from backend.activity.services import checkin_reviewed_event
from backend.attendance.models import CheckIn, Workplace
from realtime.groups import event_groups
from tests.realtime.conftest import checkin_payload, post_checkin

pytestmark = pytest.mark.django_db


def test_it_records_checkin_created_with_audience_and_payload(
    org: Any, office: Workplace
) -> None:
    body = post_checkin(org.alice)

    event = ActivityEvent.objects.get()
    assert event.type == "checkin.created"
    assert (event.actor_nip, event.actor_name, event.actor_unit) == (
        org.alice.nip,
        "Alice Staf",
        "Bidang Mutasi",
    )
    assert event.employee_id == org.alice.pk
    assert event.chain == org.alice.chain == f"/{org.dina.pk}/{org.bob.pk}/"
    assert event.unit_path == org.mutasi.path
    assert event.instansi_id == org.riau.pk
    assert event.flagged is False
    assert event.data == {
        "checkin_id": body["id"],
        "kind": "in",
        "status": "verified",
        "mode": "office",
        "captured_at": event.data["captured_at"],
        "position": {
            "latitude": body["latitude"],
            "longitude": body["longitude"],
            "accuracy_m": 8.0,
        },
        "geofence": "inside",
        "distance_m": body["distance_m"],
        "workplace": {"id": office.pk, "name": "Kantor BKD"},
        "flags": [],
    }


def test_it_adds_checkin_flagged_when_the_checkin_needs_review(
    org: Any, office: Workplace
) -> None:
    body = post_checkin(org.alice, outside=True)

    assert body["status"] == "needs_review"
    created, flagged = ActivityEvent.objects.order_by("id")
    assert (created.type, created.flagged) == ("checkin.created", False)
    assert (flagged.type, flagged.flagged) == ("checkin.flagged", True)
    assert flagged.data == created.data
    assert "geofence_outside" in {flag["code"] for flag in flagged.data["flags"]}


def test_a_replayed_checkin_records_no_second_event(
    org: Any, office: Workplace
) -> None:
    from tests.conftest import client_for

    client = client_for(org.alice.user)
    data = checkin_payload()
    photo = data.pop("photo").getvalue()

    def send() -> int:
        import io

        upload = io.BytesIO(photo)
        upload.name = "selfie.jpg"
        response = client.post(
            "/api/v1/checkins/", {**data, "photo": upload}, format="multipart"
        )
        return int(response.status_code)

    assert send() == 201
    assert send() == 200
    assert ActivityEvent.objects.count() == 1


def test_it_publishes_only_after_commit(
    org: Any, office: Workplace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        post_checkin(org.alice)
    # One publish for both events (created and flagged), after the commit.
    assert len(callbacks) == 1
    assert callbacks[0].func.__module__ == "realtime.publish"


def test_a_rolled_back_checkin_leaves_no_event_and_publishes_nothing(
    org: Any, office: Workplace, django_capture_on_commit_callbacks: Any
) -> None:
    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        post_checkin(org.alice)
        raise Abort
    assert callbacks == []
    assert not CheckIn.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_a_review_event_is_about_the_employee_and_shown_to_auditors(
    org: Any, office: Workplace
) -> None:
    body = post_checkin(org.alice, outside=True)
    checkin = CheckIn.objects.select_related("employee__unit").get(pk=body["id"])

    event = checkin_reviewed_event(checkin=checkin, reviewer=org.uma)

    assert event.type == "checkin.reviewed"
    assert (event.actor_nip, event.actor_name, event.actor_unit) == ("", "uma", "")
    assert event.employee_id == org.alice.pk
    assert event.flagged is True
    assert event.data["checkin_id"] == checkin.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_events_are_numbered_in_commit_order(org: Any) -> None:
    """Ids come from a sequence on PostgreSQL, handed out at the insert: a
    later transaction could commit id 2 while id 1 is still open, and a
    client resuming "after 2" would never see 1. Migration 0002 numbers
    each event again as it commits, without making the other wait."""
    import threading

    from django.db import connection

    from backend.activity.services import event_record

    first_written = threading.Event()
    release_first = threading.Event()
    provisional: dict[str, int] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                provisional["first"] = event_record(
                    type="checkin.created", actor=org.alice, data={}
                ).pk
                first_written.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            provisional["second"] = event_record(
                type="checkin.created", actor=org.charlie, data={}
            ).pk
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_written.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(5)
    assert not two.is_alive(), "the second event waited for the first to commit"
    release_first.set()
    one.join(10)

    assert not ids_final_at_insert()
    assert provisional["first"] < provisional["second"]
    rows = list(ActivityEvent.objects.order_by("id").values_list("employee_id", "id"))
    # Committed second, numbered second.
    assert [row[0] for row in rows] == [org.charlie.pk, org.alice.pk]
    assert rows[0][1] > provisional["second"]
    assert rows[1][1] > provisional["first"]


def test_every_event_type_has_a_doorbell_handler() -> None:
    from channels.consumer import get_handler_name

    from realtime.consumers import FeedConsumer

    for event_type in ActivityEvent.Type.values:
        handler = get_handler_name({"type": event_type})
        assert callable(getattr(FeedConsumer, handler, None)), event_type


def test_activity_prune_deletes_old_events_only(org: Any) -> None:
    import datetime as dt
    import io

    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from backend.activity.services import event_record

    with time_machine.travel(timezone.now() - dt.timedelta(days=8)):
        event_record(type="checkin.created", actor=org.alice, data={})
    recent = event_record(type="checkin.created", actor=org.alice, data={})

    call_command("activity_prune", "--days", "7", stdout=io.StringIO())

    assert list(ActivityEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_flagged_checkin_rings_each_group_once_with_its_newest_event(
    org: Any,
    office: Workplace,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from realtime import publish as publishing

    rung: list[dict[str, dict[str, Any]]] = []
    monkeypatch.setattr(publishing, "publish_doorbells", rung.append)
    with django_capture_on_commit_callbacks(execute=True):
        checkin = post_checkin(org.alice, outside=True)
    created, flagged = ActivityEvent.objects.order_by("id")
    assert (created.type, flagged.type) == ("checkin.created", "checkin.flagged")
    assert checkin["status"] == "needs_review"
    (doorbells,) = rung
    # Every group that sees the check-in, the auditors' one too, hears once
    # of the newest event; the socket reads both from the outbox.
    assert set(doorbells) == set(event_groups(flagged)) > set(event_groups(created))
    # Named by its id where the insert gives the final one (SQLite); on
    # PostgreSQL the event is numbered at commit and the doorbell names none.
    expected = flagged.pk if ids_final_at_insert() else None
    assert {message["id"] for message in doorbells.values()} == {expected}
