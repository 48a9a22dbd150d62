"""The hash chain of the audit log: canonical form, hashing, verification.

An entry's hash is the SHA-256 of the canonical JSON (sorted keys, no
whitespace, UTF-8, ``ensure_ascii=False``) of::

    {"seq", "at", "actor_id", "actor_label", "action", "target_type",
     "target_id", "before", "after", "ip", "prev_hash"}

with ``at`` in UTC as ISO 8601 with microseconds. ``prev_hash`` of the
first entry is 64 zeros. Values of ``before``/``after`` are normalised to
plain JSON (``normalise``) *before* they are stored and hashed, so what the
database gives back hashes the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from backend.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_default,
        allow_nan=False,
    )


def normalise(value: Any) -> Any:
    """``value`` as plain JSON data (dates, decimals and UUIDs as strings)."""
    if value is None:
        return None
    return json.loads(canonical_json(value))


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    before: Any,
    after: Any,
    ip: str | None,
    prev_hash: str,
) -> str:
    content = {
        "seq": seq,
        "at": timestamp(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": before,
        "after": after,
        "ip": ip,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """The hash ``entry`` should carry, recomputed from its stored content."""
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        before=entry.before,
        after=entry.after,
        ip=entry.ip,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_hash: str
    chains: int = 1
    broken_chain: int | None = None
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""


def verify() -> Verification:
    """Walk every chain from its first entry; stop at the first broken link.

    A link is broken when the entry's sequence number is not the next one (a
    deleted or inserted entry), its ``prev_hash`` is not the hash of the
    entry before it (inserted, deleted, moved between chains or re-ordered),
    or its own hash does not match its content (edited). Finally each
    chain's head row must point at its last entry (a deleted tail), and
    every chain with entries must have a head. ``head_hash`` of an intact
    log is the SHA-256 over the chains' head hashes in chain order: one
    value to record elsewhere.
    """
    heads = {head.pk: head for head in AuditChainHead.objects.all()}
    chains = sorted(
        set(heads)
        | set(AuditEntry.objects.order_by().values_list("chain", flat=True).distinct())
    )
    checked = 0
    head_hashes = []
    for chain in chains:
        result = _verify_chain(chain, heads.get(chain))
        if not result.ok:
            return Verification(
                ok=False,
                checked=checked + result.checked,
                head_hash=result.head_hash,
                chains=len(chains),
                broken_chain=chain,
                broken_seq=result.broken_seq,
                broken_id=result.broken_id,
                problem=result.problem,
            )
        checked += result.checked
        head_hashes.append(f"{chain}:{result.head_hash}")
    overall = (
        hashlib.sha256("\n".join(head_hashes).encode()).hexdigest()
        if head_hashes
        else GENESIS_HASH
    )
    return Verification(ok=True, checked=checked, head_hash=overall, chains=len(chains))


def _verify_chain(chain: int, head: AuditChainHead | None) -> Verification:
    entries = (
        AuditEntry.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000)
    )
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in entries:
        problem = ""
        if entry.seq != expected_seq:
            problem = f"sequence {entry.seq} where {expected_seq} was expected"
        elif entry.prev_hash != prev_hash:
            problem = "its previous-hash does not match the entry before it"
        elif hash_of(entry) != entry.hash:
            problem = "its content does not match its hash (edited)"
        if problem:
            return Verification(
                ok=False,
                checked=checked,
                head_hash=prev_hash,
                broken_seq=entry.seq,
                broken_id=entry.pk,
                problem=problem,
            )
        checked += 1
        expected_seq += 1
        prev_hash = entry.hash
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head is None and checked:
        problem = "the chain has entries but no head row: the head was removed"
        return Verification(
            ok=False,
            checked=checked,
            head_hash=prev_hash,
            broken_seq=checked,
            problem=problem,
        )
    if head_seq != checked or head_hash != prev_hash:
        return Verification(
            ok=False,
            checked=checked,
            head_hash=prev_hash,
            broken_seq=checked + 1 if head_seq > checked else head_seq,
            problem=(
                f"the chain head records entry {head_seq} ({head_hash[:12]}), "
                f"the chain ends at entry {checked} ({prev_hash[:12]}): entries "
                "at the end were removed or added"
            ),
        )
    return Verification(ok=True, checked=checked, head_hash=prev_hash)
