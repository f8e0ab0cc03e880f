"""The demo has a case in every state of the workflow (issue 6, "a demo case in every state
after make run"), made by the real service functions, with a history in the past; loading it
again changes nothing."""

import io
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from amtsweg.audit.services import events_for, verify_chain
from amtsweg.cases.models import Case, CaseStatus, Decision, DecisionState, Message
from amtsweg.demo.cases import KEY_PREFIX, scenarios
from amtsweg.demo.services import load_demo
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Municipality


def _model_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def demo_case(name: str) -> Case:
    return Case.objects.select_related("submission", "municipality", "assignee").get(
        submission__idempotency_key=KEY_PREFIX + name
    )


@pytest.fixture
def demo(db) -> None:
    load_demo()


def test_every_status_of_the_workflow_has_a_demo_case(demo):
    darmstadt = Municipality.objects.get(slug="darmstadt")
    statuses = set(
        Case.objects.filter(
            municipality=darmstadt, submission__idempotency_key__startswith=KEY_PREFIX
        ).values_list("status", flat=True)
    )
    assert statuses == set(CaseStatus.values)
    assert Case.objects.filter(submission__idempotency_key__startswith=KEY_PREFIX).count() == len(
        scenarios()
    )


def test_the_follow_up_cases_wait_and_answer(demo):
    waiting = demo_case("nachforderung-offen")
    assert waiting.status == CaseStatus.AWAITING_APPLICANT
    assert waiting.suspended_at is not None  # the clock stopped
    (request,) = Message.objects.filter(case=waiting, is_follow_up_request=True)
    assert request.awaits_answer and request.due_date > timezone.localdate()

    answered = demo_case("nachforderung-beantwortet")
    assert answered.status == CaseStatus.IN_REVIEW and answered.has_new_reply
    assert answered.suspended_at is None and answered.paused_days == 7
    reply = Message.objects.get(case=answered, direction="to_office")
    (photo,) = reply.attachments.all()
    assert photo.content_type == "image/png"
    with photo.file.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"


def test_decided_and_closed_cases_carry_their_decision_pdf(demo):
    decided = demo_case("entschieden")
    closed = demo_case("abgeschlossen")
    assert decided.status == CaseStatus.DECIDED and decided.result == "approved"
    assert closed.status == CaseStatus.CLOSED and closed.result == "approved"
    assert closed.delete_personal_data_after is not None
    for case in (decided, closed):
        decision = Decision.objects.get(case=case, state=DecisionState.ISSUED)
        with decision.document.file.open("rb") as stored:
            text = PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
        assert case.submission.reference_number in text
    # Erika logged in with BundID: the decision is in her mailbox.
    assert Message.objects.filter(case=decided, document__isnull=False).exists()


def test_ikz_demo_decision_is_in_modautals_name(demo):
    case = demo_case("ikz-entschieden")
    assert case.municipality.slug == "ober-ramstadt"
    decision = Decision.objects.get(case=case, state=DecisionState.ISSUED)
    with decision.document.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    assert reader.metadata.author == "Gemeindevorstand der Gemeinde Modautal"
    assert "Magistrat der Stadt Ober-Ramstadt" in " ".join(reader.pages[0].extract_text().split())


def test_deadlines_overdue_suspended_extended_and_assignments(demo):
    today = timezone.localdate()
    assert demo_case("eingegangen-ueberfaellig").is_overdue(today)
    assert demo_case("in-pruefung-ueberfaellig").is_overdue(today)
    assert not demo_case("eingegangen").is_overdue(today)
    extended = demo_case("in-pruefung-verlaengert")
    assert extended.extensions.count() == 1 and extended.deadline > today
    assert demo_case("eingegangen").assignee is None
    assert demo_case("in-pruefung-ueberfaellig").assignee.get_username() == "darmstadt-sb"
    withdrawn = demo_case("zurueckgezogen")
    assert withdrawn.status == CaseStatus.WITHDRAWN and withdrawn.result == "withdrawn"


def test_history_lies_in_the_past_in_order_and_the_audit_chains_hold(demo):
    closed = demo_case("abgeschlossen")
    entries = list(closed.status_entries.values_list("status", "created_at"))
    assert [status for status, _at in entries] == ["received", "in_review", "decided", "closed"]
    times = [at for _status, at in entries]
    assert times == sorted(times)
    assert (timezone.now() - times[0]).days >= 29
    events = events_for(closed)
    assert {"case.claimed", "case.status_changed", "case.decision_issued"} <= set(
        events.values_list("action", flat=True)
    )
    for chain in ("06411000", "06432016"):
        assert verify_chain(chain) is None  # intact


def test_running_the_demo_again_changes_nothing(db):
    call_command("demo", stdout=StringIO())
    before = _model_counts()
    output = StringIO()
    call_command("demo", stdout=output)
    assert _model_counts() == before
    assert "0 demo cases" in output.getvalue()


def test_if_empty_leaves_a_database_with_municipalities_alone(db):
    load_demo()
    # Without --if-empty the demo would submit this case again under its key.
    Submission.objects.filter(idempotency_key=KEY_PREFIX + "eingegangen").update(
        idempotency_key="renamed-by-someone"
    )
    before = _model_counts()
    call_command("demo", "--if-empty", stdout=StringIO())
    assert _model_counts() == before
