"""The clerk's side and the citizen's answers, in two browsers at once: the clerk signs in with
password and TOTP code, finds Erika's application in the inbox, claims it and asks for the
vehicle registration by a date; Erika (logged in with BundID) answers in Mein Amtsweg with a
text and an upload; the clerk sees the case flagged, previews and issues the decision; Erika
downloads it from her mailbox. axe-core checks the citizen's pages in German and English, and
the staff pages in German."""

import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from amtsweg.cases.models import CaseStatus, Decision, DecisionState
from amtsweg.demo.forms import bewohnerparkausweis
from amtsweg.demo.forms.common import DemoApplicant
from amtsweg.forms.services import steps_of
from amtsweg.identity.bundid.models import Citizen
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import save_step, start_draft, submit_application
from tests.e2e.accounts import log_in_at_test_idp, sign_in_staff
from tests.e2e.browsing import (
    Auditor,
    download,
    pdf_text,
    screenshot,
    switch_language,
    translated,
    write_pdf,
)
from tests.e2e.test_bundid_journey import parking_permit

CLERK = "darmstadt-sb"
SUBJECT = "Zulassungsbescheinigung fehlt"
ERIKA = DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345")


def de(message: str) -> str:
    return translated(message, "de")


def erikas_application() -> Submission:
    """Erika's application for a parking permit, made with her BundID account (as the demo
    makes its applications: through the service functions the form pages use)."""
    offering = parking_permit()
    answers = bewohnerparkausweis.sample_answers(ERIKA, "64283", "Darmstadt", timezone.localdate())
    draft = start_draft(offering)
    for step in steps_of(offering.solution_version.form_definition):
        keys = {field["key"] for field in step.get("fields", [])}
        save_step(draft, step["key"], {k: v for k, v in answers.items() if k in keys})
    draft.citizen = Citizen.objects.get(pseudonym__startswith="testidp-erika")
    draft.trust_level = "substantial"
    draft.save(update_fields=["citizen", "trust_level"])
    return submit_application(draft).submission


def check_in_both_languages(page: Any, audit: Auditor, name: str) -> None:
    """axe on the page in German, then in English (the header's switch), then back."""
    audit.check(page, name)
    switch_language(page, "en")
    audit.check(page, name)
    switch_language(page, "de")


def test_follow_up_answer_and_decision(
    site: str, page: Any, second_page: Any, tmp_path: Path, transactional_db: None
) -> None:
    citizen, clerk = page, second_page
    citizen_audit, staff_audit = Auditor(), Auditor()

    # Erika logs in to Mein Amtsweg; her application with BundID has just arrived.
    citizen.goto(f"{site}/mein-amtsweg/")
    log_in_at_test_idp(citizen, person="erika", level="substantial")
    assert citizen.url.endswith("/mein-amtsweg/"), citizen.url
    reference = erikas_application().reference_number

    # The clerk signs in (password, then the authenticator's code) and opens the inbox.
    sign_in_staff(clerk, site, CLERK)  # one municipality: straight to its inbox
    clerk.get_by_role("heading", name=de("Inbox")).wait_for()
    staff_audit.check(clerk, "inbox")
    screenshot(clerk, "de-clerk-01-inbox")
    clerk.get_by_role("link", name=reference, exact=True).click()
    staff_audit.check(clerk, "case")
    clerk.get_by_role("button", name=de("Claim case"), exact=True).click()
    assert "Sachbearbeitung" in clerk.inner_text("#case-assignee")
    clerk.get_by_label(de("New status")).select_option(CaseStatus.IN_REVIEW.value)
    clerk.get_by_role("button", name=de("Change status"), exact=True).click()
    clerk.wait_for_load_state()
    assert Submission.objects.get(reference_number=reference).case.status == CaseStatus.IN_REVIEW

    # A follow-up request (Nachforderung) with a due date: the case waits for Erika.
    due = timezone.localdate() + datetime.timedelta(days=14)
    request = clerk.get_by_role("form", name=de("Request missing items"))
    request.get_by_label(de("Subject")).fill(SUBJECT)
    request.get_by_label(de("Message")).fill(
        "Bitte laden Sie die Zulassungsbescheinigung Teil I Ihres Fahrzeugs hoch."
    )
    request.get_by_label(de("Answer due by")).fill(due.isoformat())
    request.get_by_role("button", name=de("Send follow-up request")).click()
    clerk.get_by_role("heading", name=f"{de('Follow-up request:')} {SUBJECT}").wait_for()
    case = Submission.objects.get(reference_number=reference).case
    assert case.status == CaseStatus.AWAITING_APPLICANT
    assert case.status_label in clerk.inner_text("#case-status")
    staff_audit.check(clerk, "case waiting")
    screenshot(clerk, "de-clerk-02-case")

    # Erika sees the new message, reads the request and answers with a text and a file.
    citizen.reload()
    applications = citizen.get_by_role("table")
    row = applications.get_by_role("row").filter(has=citizen.get_by_role("link", name=reference))
    assert de("new message") in row.inner_text()
    check_in_both_languages(citizen, citizen_audit, "Mein Amtsweg")
    citizen.get_by_role("link", name=reference, exact=True).click()
    citizen.get_by_role("heading", name=SUBJECT).wait_for()
    assert due.strftime("%d.%m.%Y") in citizen.inner_text("main")
    check_in_both_languages(citizen, citizen_audit, "mailbox with request")
    screenshot(citizen, "de-citizen-01-request")
    answer = citizen.get_by_role("form", name=de("Answer this request"))
    answer.get_by_label(de("Your answer")).fill("Anbei die Zulassungsbescheinigung.")
    answer.get_by_label(de("Files")).set_input_files(str(write_pdf(tmp_path / "zb1.pdf")))
    answer.get_by_role("button", name=de("Send answer")).click()
    citizen.get_by_text(de("You have answered this request.")).wait_for()
    citizen_audit.check(citizen, "mailbox answered")

    # The clerk's inbox flags the case; the answer and its file are in the case.
    clerk.get_by_role("link", name=de("Back to the inbox")).click()
    row = clerk.get_by_role("row").filter(has=clerk.get_by_role("link", name=reference))
    assert de("new answer") in row.inner_text()
    staff_audit.check(clerk, "inbox with answer")
    row.get_by_role("link", name=reference).click()
    assert "zb1.pdf" in clerk.inner_text("#messages")
    assert Submission.objects.get(reference_number=reference).case.status == CaseStatus.IN_REVIEW

    # The decision: outcome and reasoning, a preview (nothing issued), then issued.
    clerk.get_by_role("link", name=de("Decision (Bescheid): write, preview and issue")).click()
    staff_audit.check(clerk, "decision form")
    clerk.get_by_label(de("Outcome")).select_option("approved")
    clerk.get_by_label(de("Reasoning")).fill(
        "Sie wohnen im Bewohnerparkgebiet und sind Halterin des Fahrzeugs."
    )
    screenshot(clerk, "de-clerk-03-decision")
    issued_decisions = Decision.objects.filter(
        case__submission__reference_number=reference, state=DecisionState.ISSUED
    )
    preview = pdf_text(
        download(clerk, clerk.get_by_role("button", name=de("Preview (PDF, not issued)")))
    )
    assert reference in preview
    assert de("DRAFT – preview, not issued") in preview
    assert not issued_decisions.exists()
    clerk.get_by_role("button", name=de("Issue decision"), exact=True).click()
    clerk.get_by_text(de("The decision was issued and delivered to the applicant.")).wait_for()
    staff_audit.check(clerk, "decision issued")
    assert issued_decisions.count() == 1

    # Erika downloads the decision from her mailbox.
    citizen.reload()
    documents = citizen.get_by_role("region", name=de("Documents"))
    text = pdf_text(download(citizen, documents.get_by_role("link").first))
    assert reference in text
    assert "Rechtsbehelfsbelehrung" in text
    assert "Erika Mustermann" in text
    check_in_both_languages(citizen, citizen_audit, "mailbox with decision")
    screenshot(citizen, "de-citizen-02-decision")

    citizen_audit.assert_clean()
    staff_audit.assert_clean()
