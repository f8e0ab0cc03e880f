"""The audit app's public door: record an event, verify a chain."""

import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from amtsweg.audit.models import AuditChainHead, AuditEvent
from amtsweg.lib.rows import insert_row

PLATFORM_CHAIN = "platform"


def _digest(previous_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    # The actor's foreign key is left out: it becomes NULL when a staff account is deleted,
    # which must not break the chain. The actor's name (actor_label) is covered instead.
    return {
        "created_at": event.created_at.isoformat(),
        "chain": event.chain,
        "sequence": event.sequence,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
    }


def record_event(
    action: str,
    target: models.Model,
    *,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    chain: str = PLATFORM_CHAIN,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event for ``target`` to ``chain`` (a municipality's AGS, or the platform chain).

    Call it inside the transaction of the change it records: the chain head row stays locked
    until that transaction commits, so the event exists exactly when the change does.
    """
    # No savepoint: a failure here must fail the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        head_id, last_hash, length = _locked_head(cursor, chain)
        event = AuditEvent(
            created_at=timezone.now(),
            chain=chain,
            sequence=length + 1,
            actor=actor,
            actor_label=actor_label or (actor.get_username() if actor else "system"),
            action=action,
            object_type=target._meta.label_lower,
            object_id=str(getattr(target, "uuid", target.pk)),
            data=data or {},
            previous_hash=last_hash,
        )
        event.hash = _digest(last_hash, _hashed_fields(event))
        insert_row(event)
        cursor.execute(_MOVE_HEAD, [event.hash, event.sequence, head_id])
    return event


# Every event of a chain waits for the previous one's commit from the moment its head is
# locked, so the three statements that follow are written out once instead of being built by
# the ORM's compiler for every event (issue 9: the submit's CPU and its time under the lock).
_HEADS = AuditChainHead._meta.db_table
_SELECT_HEAD = f'SELECT "id", "last_hash", "length" FROM "{_HEADS}" WHERE "chain" = %s'  # noqa: S608
_MOVE_HEAD = f'UPDATE "{_HEADS}" SET "last_hash" = %s, "length" = %s WHERE "id" = %s'  # noqa: S608


def _locked_head(cursor: CursorWrapper, chain: str) -> tuple[int, str, int]:
    """The chain's head row (id, last hash, length), locked until the transaction ends (made on
    the chain's first event). Callers take it as late as they can: it serialises every event
    of the chain. SQLite has no row locks; its writers are serialised from BEGIN on."""
    select = _SELECT_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    cursor.execute(select, [chain])
    if (row := cursor.fetchone()) is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
        cursor.execute(select, [chain])
        row = cursor.fetchone()
    return row


def verify_chain(chain: str) -> int | None:
    """Return the sequence number of the first broken event in ``chain``, or None when intact."""
    previous_hash = ""
    expected_sequence = 1
    for event in AuditEvent.objects.filter(chain=chain).order_by("sequence").iterator():
        if event.sequence != expected_sequence or event.previous_hash != previous_hash:
            return expected_sequence
        if event.hash != _digest(previous_hash, _hashed_fields(event)):
            return event.sequence
        previous_hash = event.hash
        expected_sequence += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head and (head.length != expected_sequence - 1 or head.last_hash != previous_hash):
        return expected_sequence
    return None


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """Every event recorded for ``target``, oldest first."""
    return AuditEvent.objects.filter(
        object_type=target._meta.label_lower, object_id=str(getattr(target, "uuid", target.pk))
    ).order_by("created_at", "sequence")
