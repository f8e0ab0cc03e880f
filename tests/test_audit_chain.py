"""The audit trail: append-only, hash-chained per municipality, tampering is detected."""

import pytest
from django.db import connection

from amtsweg.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from amtsweg.audit.services import PLATFORM_CHAIN, events_for, record_event, verify_chain

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def chain(darmstadt, darmstadt_clerk):
    """Three events on Darmstadt's chain."""
    return [
        record_event(
            f"test.event{n}", darmstadt, actor=darmstadt_clerk, chain=darmstadt.ags, data={"n": n}
        )
        for n in (1, 2, 3)
    ]


def update_behind_the_models_back(event: AuditEvent, column: str, value: str) -> None:
    """What an attacker with database access can do: the queryset would refuse."""
    table, column = connection.ops.quote_name(TABLE), connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608 (names, not data)
        cursor.execute(sql, [value, event.pk])


def delete_behind_the_models_back(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        sql = f"DELETE FROM {connection.ops.quote_name(TABLE)} WHERE id = %s"  # noqa: S608
        cursor.execute(sql, [event.pk])


def test_events_link_to_their_predecessor(chain, darmstadt):
    first, second, third = chain
    assert [event.sequence for event in chain] == [1, 2, 3]
    assert first.previous_hash == ""
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert len({event.hash for event in chain}) == 3
    head = AuditChainHead.objects.get(chain=darmstadt.ags)
    assert (head.length, head.last_hash) == (3, third.hash)


def test_intact_chain_verifies(chain, darmstadt):
    assert verify_chain(darmstadt.ags) is None


def test_empty_chain_verifies():
    assert verify_chain("nothing-here") is None


def test_chains_are_separate(chain, darmstadt, modautal):
    other = record_event("test.other", modautal, chain=modautal.ags)
    assert other.sequence == 1
    assert other.previous_hash == ""
    assert verify_chain(darmstadt.ags) is None
    assert verify_chain(modautal.ags) is None


def test_platform_chain_is_the_default(darmstadt):
    event = record_event("test.platform", darmstadt)
    assert event.chain == PLATFORM_CHAIN
    assert event.actor_label == "system"
    assert event.object_type == "tenants.municipality"
    assert event.object_id == str(darmstadt.pk)


def test_events_for_a_target(chain, darmstadt, modautal):
    record_event("test.other", modautal, chain=modautal.ags)
    assert [event.action for event in events_for(darmstadt)] == [
        "test.event1",
        "test.event2",
        "test.event3",
    ]


def test_changed_data_is_detected(chain, darmstadt):
    update_behind_the_models_back(chain[1], "data", '{"n": 99}')
    assert verify_chain(darmstadt.ags) == 2


def test_changed_actor_label_is_detected(chain, darmstadt):
    update_behind_the_models_back(chain[0], "actor_label", "someone")
    assert verify_chain(darmstadt.ags) == 1


def test_recomputed_hash_is_detected_by_the_successor(chain, darmstadt):
    """Rewriting one event's hash as well breaks the link from the next event."""
    update_behind_the_models_back(chain[1], "hash", "0" * 64)
    assert verify_chain(darmstadt.ags) is not None


def test_deleted_row_is_detected(chain, darmstadt):
    delete_behind_the_models_back(chain[1])
    assert verify_chain(darmstadt.ags) == 2


def test_deleted_last_row_is_detected(chain, darmstadt):
    delete_behind_the_models_back(chain[2])
    assert verify_chain(darmstadt.ags) == 3


def test_save_of_existing_event_is_refused(chain):
    event = AuditEvent.objects.get(pk=chain[0].pk)
    event.data = {"n": 99}
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=chain[0].pk).data == {"n": 1}


def test_delete_of_an_event_is_refused(chain):
    with pytest.raises(AppendOnlyError):
        chain[0].delete()
    assert AuditEvent.objects.count() == 3


def test_queryset_update_is_refused(chain):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=chain[0].pk).update(data={})
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(actor_label="x")


def test_queryset_delete_is_refused(chain):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=chain[0].pk).delete()
    assert AuditEvent.objects.count() == 3


def test_deleting_a_staff_user_keeps_the_chain_intact(chain, darmstadt, darmstadt_clerk):
    darmstadt_clerk.delete()
    assert verify_chain(darmstadt.ags) is None
