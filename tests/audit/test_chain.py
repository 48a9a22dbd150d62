"""The audit log's hash chain: appends, verification, and tampering caught."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from backend.audit.chain import entry_hash, verify
from backend.audit.models import GENESIS_HASH, AppendOnly, AuditEntry
from backend.audit.services import audit_record, chain_for


def _append(n: int) -> list[AuditEntry]:
    return [
        audit_record(
            actor=None,
            action="test.action",
            target=("test.thing", i),
            before={"n": i},
            after={"n": i + 1, "when": "2026-01-01"},
            ip="10.0.0.1",
        )
        for i in range(n)
    ]


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_entries_chain_onto_each_other_and_verify(db: Any) -> None:
    entries = _append(4)
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    result = verify()
    assert result.ok and result.checked == AuditEntry.objects.count()
    # One value over every chain's head (here only the system's chain).
    chain = entries[-1].chain
    expected = hashlib.sha256(f"{chain}:{entries[-1].hash}".encode()).hexdigest()
    assert result.head_hash == expected


def test_the_command_reports_an_intact_log(db: Any, capsys: Any) -> None:
    _append(3)
    call_command("verify_audit_log")
    assert "intact: 3 entries" in capsys.readouterr().out


def test_it_catches_an_edited_entry(db: Any) -> None:
    entries = _append(5)
    _sql(
        "UPDATE audit_auditentry SET after = %s WHERE id = %s",
        ['{"n": 99}', entries[2].pk],
    )
    result = verify()
    assert not result.ok
    assert result.broken_seq == entries[2].seq
    assert "edited" in result.problem
    with pytest.raises(CommandError, match=f"entry #{entries[2].seq}"):
        call_command("verify_audit_log")


def test_it_catches_a_deleted_entry(db: Any) -> None:
    entries = _append(5)
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    result = verify()
    assert not result.ok
    assert result.broken_seq == entries[2].seq


def test_it_catches_a_deleted_tail(db: Any) -> None:
    entries = _append(3)
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    result = verify()
    assert not result.ok and "removed or added" in result.problem


def test_it_catches_an_inserted_entry(db: Any) -> None:
    entries = _append(4)
    # Make room at position 3 and insert a well-formed forgery there, chained
    # onto entry 2: the entry after it no longer links.
    for entry in reversed(entries[2:]):
        _sql(
            "UPDATE audit_auditentry SET seq = %s WHERE id = %s",
            [entry.seq + 1, entry.pk],
        )
    forged = entries[1]
    fields = {
        "seq": entries[2].seq,
        "at": forged.at,
        "actor_id": None,
        "actor_label": "system",
        "action": "forged",
        "target_type": "",
        "target_id": "",
        "before": None,
        "after": None,
        "ip": None,
        "prev_hash": forged.hash,
    }
    digest = entry_hash(**fields)
    AuditEntry.objects.bulk_create([AuditEntry(**fields, hash=digest)])
    result = verify()
    assert not result.ok
    assert result.broken_seq == entries[2].seq + 1


def test_it_catches_an_entry_appended_behind_the_head(db: Any) -> None:
    last = _append(2)[-1]
    fields = {
        "seq": last.seq + 1,
        "at": last.at,
        "actor_id": None,
        "actor_label": "system",
        "action": "forged",
        "target_type": "",
        "target_id": "",
        "before": None,
        "after": None,
        "ip": None,
        "prev_hash": last.hash,
    }
    AuditEntry.objects.bulk_create([AuditEntry(**fields, hash=entry_hash(**fields))])
    assert not verify().ok


def test_the_app_never_updates_or_deletes_entries(db: Any) -> None:
    entry = _append(1)[0]
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_a_rolled_back_change_leaves_no_entry(db: Any) -> None:
    from django.db import transaction

    _append(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="doomed", target=None)
        raise RuntimeError
    assert not AuditEntry.objects.filter(action="doomed").exists()
    assert verify().ok


def test_the_admin_shows_entries_read_only(org: Any) -> None:
    entry = _append(1)[0]
    client = Client()
    client.force_login(org.root)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    view = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert view.status_code == 200
    assert b'name="action"' not in view.content
    deleted = client.post(
        f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_role_changes_are_audited_with_the_actor(org: Any) -> None:
    from backend.organization import services

    assignment = services.role_assign(
        user=org.alice.user, role="unit_admin", unit=org.mutasi, actor=org.root
    )
    services.role_revoke(assignment=assignment, actor=org.root, ip="10.1.2.3")
    services.employee_update(org.charlie, actor=org.root, supervisor=org.dina)
    actions = list(
        AuditEntry.objects.filter(actor_id=org.root.pk).values_list("action", "ip")
    )
    assert actions == [
        ("role.assigned", None),
        ("role.revoked", "10.1.2.3"),
        ("employee.supervisor_changed", None),
    ]
    assert verify().ok


def _append_as(users: list[Any]) -> list[AuditEntry]:
    return [
        audit_record(actor=user, action="test.action", target=("test.thing", n))
        for n, user in enumerate(users)
    ]


@pytest.fixture
def four_chains(settings: Any) -> None:
    settings.AUDIT_CHAINS = 4


def test_actors_append_to_their_own_chain_and_all_chains_verify(
    org: Any, four_chains: None
) -> None:
    users = [org.alice.user, org.bob.user, org.charlie.user, org.dina.user] * 2
    entries = _append_as(users)
    for user in users:
        mine = [e for e in entries if e.actor_id == user.pk]
        assert {e.chain for e in mine} == {chain_for(user.pk)}
    chains = set(AuditEntry.objects.values_list("chain", flat=True))
    for chain in chains:
        in_chain = list(AuditEntry.objects.filter(chain=chain).order_by("seq"))
        assert [e.seq for e in in_chain] == list(range(1, len(in_chain) + 1))
        assert in_chain[0].prev_hash == GENESIS_HASH
    result = verify()
    assert result.ok and result.checked == AuditEntry.objects.count()
    assert result.chains == len(chains) > 2


def test_it_catches_an_entry_moved_to_another_chain(
    org: Any, four_chains: None
) -> None:
    entries = _append_as([org.alice.user, org.bob.user] * 3)
    moved = entries[2]
    other = next(e for e in entries if e.chain != moved.chain)
    _sql(
        "UPDATE audit_auditentry SET chain = %s, seq = %s WHERE id = %s",
        [other.chain, 99, moved.pk],
    )
    result = verify()
    assert not result.ok
    assert result.broken_chain in {moved.chain, other.chain}


def test_it_catches_a_removed_chain_head(org: Any, four_chains: None) -> None:
    entry = _append_as([org.bob.user])[0]
    _sql("DELETE FROM audit_auditchainhead WHERE id = %s", [entry.chain])
    result = verify()
    assert not result.ok and result.broken_chain == entry.chain
    assert "no head" in result.problem
