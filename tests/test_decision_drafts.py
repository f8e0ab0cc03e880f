"""Decision drafts: what the clerk wrote is kept on the case ("Entwurf speichern" and every
preview), filled in again on the next visit, and gone once the decision is issued; a double
click on "issue" issues one decision."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.decisions import decision_draft, issue_decision, save_decision_draft
from amtsweg.cases.models import Case, CaseStatus, Decision, DecisionState
from amtsweg.cases.services import TransitionRefused, change_case_status
from amtsweg.documents.models import Document, DocumentKind
from tests.staff_login import login_staff

REASONING = "Die Voraussetzungen nach § 3 der Hundesteuersatzung liegen vor."


@pytest.fixture
def case(darmstadt_case: Case, darmstadt_clerk: Any) -> Case:
    return change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.uuid])


def test_saved_draft_is_filled_in_on_the_next_visit(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    half_done = {"outcome": "partly_approved", "reasoning": REASONING, "conditions": "", "fee": ""}

    response = client.post(url("decision_save_draft", case), half_done)

    assert response.status_code == 302 and response["Location"] == url("decision", case)
    draft = decision_draft(case)
    assert (draft.state, draft.outcome, draft.reasoning) == ("draft", "partly_approved", REASONING)
    assert draft.fee == case.submission.offering.fee  # empty: the offering's fee
    page = client.get(url("decision", case)).content.decode()
    assert REASONING in page
    assert 'value="partly_approved" selected' in page
    assert 'id="draft-restored"' in page
    assert AuditEvent.objects.filter(action="case.decision_draft_saved").count() == 1
    assert REASONING not in str(AuditEvent.objects.get(action="case.decision_draft_saved").data)


def test_a_draft_may_be_unfinished_and_a_second_save_replaces_it(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    first = client.post(url("decision_save_draft", case), {"outcome": "", "reasoning": ""})
    assert first.status_code == 302
    second = client.post(
        url("decision_save_draft", case), {"outcome": "rejected", "reasoning": "Erst", "fee": "5"}
    )
    assert second.status_code == 302
    draft = Decision.objects.get(case=case)
    assert (draft.outcome, draft.reasoning, draft.fee) == ("rejected", "Erst", Decimal("5.00"))


def test_a_negative_fee_in_a_draft_is_refused_with_the_form(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    response = client.post(url("decision_save_draft", case), {"reasoning": "x", "fee": "-1"})
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_preview_saves_the_draft_too(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    data = {"outcome": "approved", "reasoning": REASONING, "fee": "30.00"}
    preview = client.post(url("decision_preview", case), data)
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    draft = decision_draft(case)
    assert (draft.outcome, draft.fee) == ("approved", Decimal("30.00"))
    assert not Document.objects.filter(kind=DocumentKind.DECISION).exists()


def test_issuing_discards_the_draft_and_a_double_click_issues_once(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    data = {"outcome": "approved", "reasoning": REASONING, "fee": "30.00"}
    client.post(url("decision_save_draft", case), data)

    first = client.post(url("decision_issue", case), data)
    second = client.post(url("decision_issue", case), {**data, "outcome": "rejected"})

    assert first.status_code == 302 and second.status_code == 302
    (decision,) = Decision.objects.filter(case=case)
    assert (decision.state, decision.outcome) == (DecisionState.ISSUED, "approved")
    assert Document.objects.filter(kind=DocumentKind.DECISION).count() == 1
    assert AuditEvent.objects.filter(action="case.decision_issued").count() == 1
    assert decision_draft(case) is None
    page = client.get(url("decision", case)).content.decode()
    assert 'id="decision-issued"' in page and 'id="draft-restored"' not in page


def test_no_draft_after_the_decision_is_issued(case, darmstadt_clerk):
    issue_decision(case, actor=darmstadt_clerk, outcome="approved", reasoning=REASONING)
    with pytest.raises(TransitionRefused):
        save_decision_draft(case, actor=darmstadt_clerk, reasoning="later")
    assert not Decision.objects.filter(state=DecisionState.DRAFT).exists()


def test_read_only_staff_and_other_municipalities_cannot_save_drafts(
    client, case, darmstadt_readonly, modautal_clerk
):
    with pytest.raises(PermissionDenied):
        save_decision_draft(case, actor=darmstadt_readonly, reasoning="x")
    login_staff(client, darmstadt_readonly)
    assert client.post(url("decision_save_draft", case), {"reasoning": "x"}).status_code == 403
    client.logout()
    login_staff(client, modautal_clerk)
    assert client.post(url("decision_save_draft", case), {"reasoning": "x"}).status_code == 404
    assert not Decision.objects.exists()
