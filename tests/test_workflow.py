"""The default case workflow: allowed transitions are recorded, others change nothing."""

import pytest
from django.utils import translation

from amtsweg.audit.models import AuditEvent
from amtsweg.audit.services import events_for, verify_chain
from amtsweg.cases.models import Case, CaseStatus, StatusEntry
from amtsweg.cases.services import (
    TransitionRefused,
    change_case_status,
    claim_case,
    public_status_history,
)
from amtsweg.cases.workflow import TRANSITIONS, is_allowed, next_statuses

ALLOWED = [(source, target) for source, targets in TRANSITIONS.items() for target in targets]
REFUSED = [
    (source, target)
    for source in CaseStatus.values
    for target in CaseStatus.values
    if (source, target) not in ALLOWED
]


def put_in_status(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


def test_every_status_has_a_rule():
    assert set(TRANSITIONS) == set(CaseStatus.values)
    assert next_statuses("no-such-status") == ()


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_transition_is_recorded(
    darmstadt_case, darmstadt_clerk, darmstadt, source, target
):
    case = put_in_status(darmstadt_case, source)
    entries_before = StatusEntry.objects.filter(case=case).count()

    # Closing needs a result (issue 6, 5a); the other transitions take none.
    result = "approved" if target == CaseStatus.CLOSED else ""
    changed = change_case_status(
        case, target, actor=darmstadt_clerk, comment="Unterlagen geprüft", result=result
    )

    assert changed.status == target
    assert Case.objects.get(pk=case.pk).status == target
    entries = list(StatusEntry.objects.filter(case=case))
    assert len(entries) == entries_before + 1
    newest = entries[-1]
    assert (newest.status, newest.actor, newest.comment) == (
        target,
        darmstadt_clerk,
        "Unterlagen geprüft",
    )
    event = AuditEvent.objects.get(action="case.status_changed")
    assert event.object_id == str(case.uuid)
    assert event.actor == darmstadt_clerk
    assert event.chain == darmstadt.ags
    # The comment itself may hold personal data; the audit trail only notes that there was one.
    # Deadline clock and result details are added where they apply.
    assert event.data.items() >= {"from": source, "to": target, "with_comment": True}.items()
    assert verify_chain(darmstadt.ags) is None


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_transition_writes_nothing(darmstadt_case, darmstadt_clerk, source, target):
    case = put_in_status(darmstadt_case, source)
    entries_before = StatusEntry.objects.filter(case=case).count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(TransitionRefused):
        change_case_status(case, target, actor=darmstadt_clerk)

    assert Case.objects.get(pk=case.pk).status == source
    assert StatusEntry.objects.filter(case=case).count() == entries_before
    assert AuditEvent.objects.count() == events_before


def test_refusal_says_why(darmstadt_case, darmstadt_clerk):
    with translation.override("en"), pytest.raises(TransitionRefused) as raised:
        change_case_status(darmstadt_case, CaseStatus.CLOSED, actor=darmstadt_clerk)
    assert str(raised.value) == "A case in status “received” cannot be moved to “closed”."


def test_unknown_target_is_refused_not_crashed(darmstadt_case, darmstadt_clerk):
    with translation.override("en"), pytest.raises(TransitionRefused) as raised:
        change_case_status(darmstadt_case, "archived", actor=darmstadt_clerk)
    assert "archived" in str(raised.value)
    assert not is_allowed(CaseStatus.RECEIVED, "archived")


def test_refusal_uses_the_status_the_database_holds(darmstadt_case, darmstadt_clerk):
    """A stale object in memory does not decide: the locked row does."""
    stale = Case.objects.get(pk=darmstadt_case.pk)
    change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    with pytest.raises(TransitionRefused):
        change_case_status(stale, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    assert StatusEntry.objects.filter(case=darmstadt_case).count() == 2


def test_whole_path_builds_the_history(darmstadt_case, darmstadt_clerk, submitted):
    path = [
        CaseStatus.IN_REVIEW,
        CaseStatus.AWAITING_APPLICANT,
        CaseStatus.IN_REVIEW,
        CaseStatus.DECIDED,
        CaseStatus.CLOSED,
    ]
    for target in path:
        result = "approved" if target == CaseStatus.CLOSED else ""
        change_case_status(darmstadt_case, target, actor=darmstadt_clerk, result=result)
    assert [entry.status for entry in public_status_history(submitted.submission)] == [
        CaseStatus.RECEIVED,
        *path,
    ]
    assert [event.action for event in events_for(darmstadt_case)] == ["case.status_changed"] * 5
    assert Case.objects.open().count() == 0


def test_claim_records_an_event(darmstadt_case, darmstadt_clerk, darmstadt):
    claimed = claim_case(darmstadt_case, actor=darmstadt_clerk)

    assert claimed.assignee == darmstadt_clerk
    assert Case.objects.get(pk=darmstadt_case.pk).assignee == darmstadt_clerk
    event = AuditEvent.objects.get(action="case.claimed")
    assert event.object_id == str(darmstadt_case.uuid)
    assert event.actor == darmstadt_clerk
    assert event.actor_label == darmstadt_clerk.get_username()
    assert event.chain == darmstadt.ags
    assert event.data == {"previous_assignee": ""}


def test_claim_from_a_colleague_names_the_previous_assignee(
    darmstadt_case, darmstadt_clerk, darmstadt_admin
):
    claim_case(darmstadt_case, actor=darmstadt_clerk)
    claim_case(darmstadt_case, actor=darmstadt_admin)
    events = list(AuditEvent.objects.filter(action="case.claimed"))
    assert [event.data["previous_assignee"] for event in events] == ["", "da.clerk"]


def test_claiming_twice_records_once(darmstadt_case, darmstadt_clerk):
    claim_case(darmstadt_case, actor=darmstadt_clerk)
    claim_case(darmstadt_case, actor=darmstadt_clerk)
    assert AuditEvent.objects.filter(action="case.claimed").count() == 1
