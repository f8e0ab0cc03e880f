"""A solution version's own workflow: its statuses and labels, its transitions, roles required
for a transition, refusals with a reason, checks of the definition, and withdrawal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case, CaseResult, CaseStatus
from amtsweg.cases.services import (
    TransitionRefused,
    change_case_status,
    check_workflow,
    withdraw_case,
)
from amtsweg.submissions.services import submit_application
from tests.factories import OfferingFactory, SolutionVersionFactory, make_complete_draft

WORKFLOW = {
    "initial": "new",
    "statuses": [
        {"key": "new", "label": {"de": "neu", "en": "new"}},
        {"key": "checking", "label": {"de": "Prüfung", "en": "checking"}},
        {"key": "waiting", "label": {"de": "wartet", "en": "waiting"}, "kind": "waiting"},
        {"key": "done", "label": {"de": "erledigt", "en": "done"}, "kind": "closed"},
        {"key": "gone", "label": {"de": "zurückgezogen", "en": "withdrawn"}, "kind": "withdrawn"},
    ],
    "transitions": [
        {"from": "new", "to": "checking"},
        {"from": "checking", "to": "waiting"},
        {"from": "waiting", "to": "checking"},
        {"from": "checking", "to": "done", "role": "admin"},
    ],
}


@pytest.fixture
def custom_case(darmstadt) -> Case:
    version = SolutionVersionFactory(workflow=WORKFLOW)
    offering = OfferingFactory(municipality=darmstadt, solution_version=version)
    return submit_application(make_complete_draft(offering)).submission.case


def test_case_starts_in_the_initial_status_with_its_label(custom_case):
    assert custom_case.status == "new"
    assert custom_case.status_entries.get().status == "new"
    with translation.override("de"):
        assert custom_case.status_label == "neu"
    with translation.override("en"):
        assert custom_case.status_label == "new"


def test_default_workflow_is_used_without_one(darmstadt_case):
    assert darmstadt_case.status == CaseStatus.RECEIVED
    assert darmstadt_case.workflow.next_statuses(CaseStatus.RECEIVED) == (CaseStatus.IN_REVIEW,)


def test_allowed_transition_and_refused_one(custom_case, darmstadt_clerk):
    change_case_status(custom_case, "checking", actor=darmstadt_clerk)
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        change_case_status(custom_case, "new", actor=darmstadt_clerk)
    assert str(refused.value) == "A case in status “checking” cannot be moved to “new”."
    # Default statuses are not this workflow's.
    with pytest.raises(TransitionRefused):
        change_case_status(custom_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    assert Case.objects.get(pk=custom_case.pk).status == "checking"


def test_transition_that_needs_a_role(custom_case, darmstadt_clerk, darmstadt_admin):
    change_case_status(custom_case, "checking", actor=darmstadt_clerk)
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        change_case_status(custom_case, "done", actor=darmstadt_clerk, result=CaseResult.APPROVED)
    assert "admin" in str(refused.value)
    assert AuditEvent.objects.count() == events
    closed = change_case_status(
        custom_case, "done", actor=darmstadt_admin, result=CaseResult.APPROVED
    )
    assert (closed.status, closed.result) == ("done", CaseResult.APPROVED)
    assert not closed.is_open


def test_read_only_staff_may_not_move_a_case(custom_case, darmstadt_readonly):
    with pytest.raises(PermissionDenied):
        change_case_status(custom_case, "checking", actor=darmstadt_readonly)


def test_waiting_kind_stops_the_clock(custom_case, darmstadt_clerk):
    change_case_status(custom_case, "checking", actor=darmstadt_clerk)
    waiting = change_case_status(custom_case, "waiting", actor=darmstadt_clerk)
    assert waiting.suspended_at is not None
    resumed = change_case_status(custom_case, "checking", actor=darmstadt_clerk)
    assert resumed.suspended_at is None


def test_withdraw_goes_to_the_workflows_withdrawn_status(custom_case):
    withdrawn = withdraw_case(custom_case)
    assert (withdrawn.status, withdrawn.result) == ("gone", CaseResult.WITHDRAWN)
    assert withdrawn.delete_personal_data_after is not None
    event = AuditEvent.objects.get(action="case.withdrawn")
    assert (event.actor_label, event.data["by_applicant"]) == ("applicant", True)
    with pytest.raises(TransitionRefused):
        withdraw_case(custom_case)


def test_withdraw_from_waiting_in_the_default_workflow(darmstadt_case, darmstadt_clerk):
    change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    change_case_status(darmstadt_case, CaseStatus.AWAITING_APPLICANT, actor=darmstadt_clerk)
    withdrawn = withdraw_case(darmstadt_case)
    assert withdrawn.status == CaseStatus.WITHDRAWN
    assert withdrawn.suspended_at is None


def test_withdraw_by_staff_needs_a_working_actor(darmstadt_case, darmstadt_readonly):
    with pytest.raises(PermissionDenied):
        withdraw_case(darmstadt_case, by_applicant=False)
    with pytest.raises(PermissionDenied):
        withdraw_case(darmstadt_case, by_applicant=False, actor=darmstadt_readonly)


@pytest.mark.parametrize(
    "broken",
    [
        [],
        {"statuses": []},
        {"statuses": [{"key": "a", "label": {"de": "A"}}]},  # no closed, no withdrawn
        {**WORKFLOW, "transitions": [{"from": "new", "to": "nowhere"}]},
        {**WORKFLOW, "transitions": [{"from": "done", "to": "new"}]},
        {**WORKFLOW, "transitions": [{"from": "new", "to": "gone"}]},
        {**WORKFLOW, "transitions": [{"from": "new", "to": "checking", "role": "boss"}]},
        {**WORKFLOW, "initial": "done"},
        {
            **WORKFLOW,
            "statuses": [*WORKFLOW["statuses"], {"key": "x", "label": {"de": "x"}, "kind": "odd"}],
        },
    ],
)
def test_unusable_workflows_are_refused_when_saved(broken):
    assert check_workflow(broken)
    version = SolutionVersionFactory.build(workflow=broken, retention_days_by_result=None)
    with pytest.raises(ValidationError) as raised:
        version.clean()
    assert "workflow" in raised.value.message_dict


def test_the_example_workflow_is_usable():
    assert check_workflow(WORKFLOW) == ""
