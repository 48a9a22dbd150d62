"""insert_rows stores exactly what Model.save() stores."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict
from django.utils import timezone

from backend.activity.models import ActivityEvent
from backend.attendance.models import CheckIn
from backend.audit.models import AuditEntry
from backend.lib.row_insert import insert_rows

pytestmark = pytest.mark.django_db


AT = timezone.now()


def _event(org: Any, **changes: Any) -> ActivityEvent:
    alice = org.alice
    values: dict[str, Any] = {
        "type": ActivityEvent.Type.CHECKIN_CREATED,
        "at": AT,
        "actor_nip": alice.nip,
        "actor_name": alice.name,
        "actor_unit": alice.unit.name,
        "employee": alice,
        "chain": alice.chain,
        "unit_path": alice.unit.path,
        "instansi_id": alice.unit.instansi_id,
        "flagged": False,
        "data": {"flags": [{"code": "mock_location"}], "distance_m": 12.5},
    }
    return ActivityEvent(**{**values, **changes})


def test_a_row_reads_back_as_the_orm_would_have_written_it(org: Any) -> None:
    by_orm, by_statement = _event(org), _event(org, flagged=True)
    by_orm.save(force_insert=True)
    insert_rows(by_statement)
    assert by_statement.pk is not None and not by_statement._state.adding
    first, second = (
        model_to_dict(ActivityEvent.objects.get(pk=pk), exclude=["id", "flagged"])
        for pk in (by_orm.pk, by_statement.pk)
    )
    assert first == second
    assert ActivityEvent.objects.get(pk=by_statement.pk).flagged is True


def test_several_rows_get_their_own_keys_in_order(org: Any) -> None:
    events = [_event(org, actor_name=f"n{number}") for number in range(3)]
    insert_rows(*events)
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    for event in events:
        assert ActivityEvent.objects.get(pk=event.pk).actor_name == event.actor_name


def test_the_models_written_this_way_have_no_save_receivers() -> None:
    # insert_rows sends no signals; a receiver added to these models would
    # silently not run.
    for model in (CheckIn, AuditEntry, ActivityEvent):
        for signal in (pre_save, post_save):
            assert not signal.has_listeners(model), (model, signal)
