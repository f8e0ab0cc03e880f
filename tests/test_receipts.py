"""Receipts (Eingangsbestätigung, issue 6 point 7): every submission gets a PDF/A-3 receipt
with the full submitted data, its attachments' SHA-256 and the data embedded as JSON; made once
by a task; downloadable by the applicant's session and the case's clerks only."""

import hashlib
import io
import json
import re
import statistics
import time
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.receipts import load_submission, render_receipt
from amtsweg.documents.services import missing_receipts
from amtsweg.documents.tasks import generate_receipt, retry_missing_receipts
from amtsweg.submissions import drafts
from amtsweg.submissions.models import Attachment, Submission
from amtsweg.submissions.services import submit_data
from amtsweg.submissions.tasks import follow_up_submission
from tests.factories import OfferingFactory, SolutionVersionFactory, form_definition
from tests.staff_login import login_staff


def receipt_of(submission: Submission) -> Document:
    return Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)


def pdf_of(document: Document) -> PdfReader:
    with document.file.open("rb") as stored:
        return PdfReader(io.BytesIO(stored.read()))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def xmp_of(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def own(client: Any, submission: Submission) -> None:
    """Make ``submission`` belong to ``client``'s browser session, as the journey does."""
    session = client.session
    session[drafts.SESSION_KEY] = [str(submission.uuid)]
    session.save()


def add_attachment(submission: Submission, name: str, content: bytes) -> Attachment:
    return Attachment.objects.create(
        submission=submission,
        field_path="proof",
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        file=ContentFile(content, name="upload"),
    )


# --- the job ---------------------------------------------------------------------------------


def test_submit_writes_the_receipt_row_and_its_job(submitted):
    submission = submitted.submission

    document = receipt_of(submission)
    assert document.state == GenerationState.PENDING
    assert document.case == submission.case
    assert not document.file
    job = DBTaskResult.objects.get(task_path=follow_up_submission.module_path)
    assert job.args_kwargs == {"args": [submission.pk], "kwargs": {}}
    assert list(missing_receipts()) == [submission]


def test_receipt_shows_the_application_and_carries_its_data(submitted):
    submission = Submission.objects.get(pk=submitted.submission.pk)
    add_attachment(submission, "Impfpass.pdf", b"%PDF-1.7 Impfpass")

    assert generate_receipt.call(submission.pk) == "generated"

    document = receipt_of(submission)
    assert document.state == GenerationState.DONE
    assert document.attempts == 1
    assert document.file.name == f"documents/{document.uuid}.pdf"
    with document.file.open("rb") as stored:
        content = stored.read()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    reader = PdfReader(io.BytesIO(content))
    assert document.page_count == len(reader.pages)

    text = text_of(reader)
    assert submission.reference_number in text
    assert "Darmstadt, Wissenschaftsstadt" in text
    assert "Steuerverwaltung" in text
    assert "99036011001000" in text  # the LeiKa key
    assert "Straße und Hausnummer" in text and "Luisenplatz 5" in text
    assert "Impfpass.pdf" in text
    flat = re.sub(r"\s+", "", text)
    assert hashlib.sha256(b"%PDF-1.7 Impfpass").hexdigest() in flat

    xmp = xmp_of(reader)
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert reader.metadata.title.endswith(submission.reference_number)
    assert reader.metadata.author == "Darmstadt, Wissenschaftsstadt"

    embedded = reader.attachments["submission.json"][0]
    carried = json.loads(embedded)
    assert carried["data"] == submission.data
    assert carried["reference_number"] == submission.reference_number
    assert carried["offering"] == str(submission.offering.uuid)
    assert carried["solution_version"] == submission.solution_version.number
    assert carried["submitted_at"] == submission.submitted_at.isoformat()
    assert list(missing_receipts()) == []


def test_fonts_are_embedded_and_the_page_is_a4(submitted):
    generate_receipt.call(submitted.submission.pk)
    reader = pdf_of(receipt_of(submitted.submission))

    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    for font in page["/Resources"]["/Font"].values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_fonts_are_cut_down_by_harfbuzz_not_by_the_slow_fallback(submitted, caplog):
    """WeasyPrint embeds only the glyphs a receipt uses. Without HarfBuzz's subsetter (the
    library ``make install`` installs) it does so with fontTools and warns, and every receipt
    takes three times the CPU (docs/benchmarks.md, "receipts on a fresh machine")."""
    with caplog.at_level("WARNING", logger="weasyprint"):
        assert generate_receipt.call(submitted.submission.pk) == "generated"
    fallbacks = [
        record.getMessage() for record in caplog.records if "fontTools" in record.getMessage()
    ]
    assert fallbacks == []


def test_a_long_form_gives_a_receipt_of_several_pages(darmstadt):
    definition = form_definition()
    definition["steps"] = [
        definition["steps"][0],
        {
            "key": "details",
            "title": {"de": "Einzelheiten", "en": "Details"},
            "fields": [
                {"key": f"detail_{n}", "type": "text", "label": {"de": f"Angabe {n}"}}
                for n in range(1, 91)
            ],
        },
    ]
    version = SolutionVersionFactory(solution__publisher=darmstadt, form_definition=definition)
    offering = OfferingFactory(municipality=darmstadt, solution_version=version, slug="lang")
    data = {"given_name": "Erika", "family_name": "Mustermann", "email": "erika@example.de"}
    data.update({f"detail_{n}": f"Wert {n}" for n in range(1, 91)})
    submission = submit_data(offering, data).submission

    generate_receipt.call(submission.pk)

    document = receipt_of(submission)
    reader = pdf_of(document)
    assert document.page_count == len(reader.pages) >= 2
    text = text_of(reader)
    assert "Angabe 90" in text and "Wert 90" in text
    assert submission.reference_number in reader.pages[-1].extract_text()  # the page footer


def _text_starts(reader: PdfReader) -> dict[str, float]:
    """Where each piece of text on the first page starts, left to right."""
    starts: dict[str, float] = {}

    def note(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():  # x on the page in points: the text matrix, then the page's own
            starts.setdefault(text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

    reader.pages[0].extract_text(visitor_text=note)
    return starts


def test_a_long_label_wraps_in_its_column_and_moves_no_answer(darmstadt):
    """The columns of the data tables are as wide as the style sheet says, whatever the text
    (``table-layout: fixed``): a label of one long compound word wraps within its column and
    does not push its own answer, or any other, to the right."""
    definition = form_definition()
    long_label = "Hundehaftpflichtversicherungsgesellschaftsvertragsnummernbestätigung"
    definition["steps"] = [definition["steps"][0]]
    definition["steps"][0]["fields"].append(
        {"key": "policy", "type": "text", "label": {"de": long_label}}
    )
    version = SolutionVersionFactory(solution__publisher=darmstadt, form_definition=definition)
    offering = OfferingFactory(municipality=darmstadt, solution_version=version, slug="lang")
    data = {"given_name": "Erika", "family_name": "Mustermann", "email": "erika@example.de"}
    submission = submit_data(offering, {**data, "policy": "HV-4711"}).submission

    starts = _text_starts(PdfReader(io.BytesIO(render_receipt(submission).content)))

    assert long_label not in starts  # wrapped, in pieces
    assert starts["HV-4711"] == starts["Erika"] == starts["erika@example.de"]
    # The labels take 45 % of the text's width: A4 (210 mm) less the page's margins
    # (documents/pdf_base.html: 25 mm left, 20 mm right) and the body's own (8 px = 6 pt each).
    width = (210 - 25 - 20) / 25.4 * 72 - 2 * 6
    assert starts["HV-4711"] - starts["Vorname"] == pytest.approx(0.45 * width, abs=1)


def test_running_twice_makes_one_receipt(submitted):
    submission = submitted.submission
    assert generate_receipt.call(submission.pk) == "generated"
    first = receipt_of(submission)

    assert generate_receipt.call(submission.pk) == "exists"

    assert Document.objects.filter(submission=submission).count() == 1
    again = receipt_of(submission)
    assert (again.sha256, again.file.name, again.attempts) == (
        first.sha256,
        first.file.name,
        first.attempts,
    )


def test_a_failure_is_recorded_and_the_retry_makes_the_receipt(submitted, monkeypatch):
    submission = submitted.submission

    def broken(submission: Submission) -> Any:
        raise RuntimeError("Pango went away")

    monkeypatch.setattr("amtsweg.documents.tasks.render_receipt", broken)
    with pytest.raises(RuntimeError):
        generate_receipt.call(submission.pk)
    document = receipt_of(submission)
    assert (document.state, document.attempts) == (GenerationState.FAILED, 1)
    assert "Pango went away" in document.last_error
    assert list(missing_receipts()) == [submission]

    DBTaskResult.objects.all().delete()
    assert retry_missing_receipts.call() == {"enqueued": 1}
    job = DBTaskResult.objects.get(task_path=generate_receipt.module_path)
    assert job.args_kwargs["args"] == [submission.pk]

    monkeypatch.undo()
    assert generate_receipt.call(submission.pk) == "generated"
    document = receipt_of(submission)
    assert (document.state, document.attempts, document.last_error) == ("done", 2, "")
    assert Document.objects.filter(submission=submission).count() == 1


def test_a_submission_from_before_receipts_gets_one_too(submitted):
    submission = submitted.submission
    Document.objects.filter(submission=submission).delete()

    assert generate_receipt.call(submission.pk) == "generated"
    assert receipt_of(submission).case == submission.case


def test_a_draft_gets_no_receipt(complete_draft):
    assert generate_receipt.call(complete_draft.pk) == "not submitted"
    assert not Document.objects.exists()


# --- language --------------------------------------------------------------------------------


def test_receipt_is_german_by_default(submitted):
    generate_receipt.call(submitted.submission.pk)
    reader = pdf_of(receipt_of(submitted.submission))
    text = text_of(reader)
    assert "Straße und Hausnummer" in text and "Anzahl der Hunde" in text
    assert "Street and number" not in text
    assert reader.trailer["/Root"]["/Lang"] == "de"


def test_receipt_is_english_when_submitted_in_english(complete_draft, submit):
    submission = submit(complete_draft, language="en").submission
    generate_receipt.call(submission.pk)

    document = receipt_of(submission)
    reader = pdf_of(document)
    text = text_of(reader)
    assert document.language == "en"
    assert "Acknowledgement of receipt" in text
    assert "Street and number" in text and "Number of dogs" in text
    assert "Straße und Hausnummer" not in text
    assert reader.trailer["/Root"]["/Lang"] == "en"


# --- who may download it ---------------------------------------------------------------------


def test_applicant_downloads_the_receipt_from_the_confirmation_page(client, submitted):
    submission = submitted.submission
    own(client, submission)
    url = reverse("documents:receipt", args=[submission.uuid])
    assert url in client.get(reverse("submissions:confirmation", args=[submission.uuid])).text

    pending = client.get(url)
    assert pending.status_code == 202  # the task has not run yet: "being prepared"

    generate_receipt.call(submission.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert submission.reference_number in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_another_session_gets_404(client, submitted):
    generate_receipt.call(submitted.submission.pk)
    response = client.get(reverse("documents:receipt", args=[submitted.submission.uuid]))
    assert response.status_code == 404


def test_status_lookup_lets_the_session_download_the_receipt(client, submitted):
    submission = submitted.submission
    generate_receipt.call(submission.pk)
    url = reverse("documents:receipt", args=[submission.uuid])
    assert client.get(url).status_code == 404

    page = client.post(
        reverse("submissions:status"),
        {"reference_number": submission.reference_number, "access_code": submitted.access_code},
    )

    assert url in page.text
    assert client.get(url).status_code == 200


def test_a_wrong_access_code_does_not_open_the_receipt(client, submitted):
    submission = submitted.submission
    generate_receipt.call(submission.pk)
    client.post(
        reverse("submissions:status"),
        {"reference_number": submission.reference_number, "access_code": "AAAA-BBBB-CCCC"},
    )
    assert client.get(reverse("documents:receipt", args=[submission.uuid])).status_code == 404


def test_clerk_downloads_the_receipt_from_the_case_view(client, submitted, darmstadt_clerk):
    case = submitted.submission.case
    generate_receipt.call(submitted.submission.pk)
    document = receipt_of(submitted.submission)
    login_staff(client, darmstadt_clerk)

    page = client.get(reverse("cases:detail", args=[case.uuid]))
    url = reverse("documents:case_document", args=[case.uuid, document.uuid])
    assert url in page.text
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_case_view_says_when_the_receipt_is_not_made_yet(client, submitted, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    page = client.get(reverse("cases:detail", args=[submitted.submission.case.uuid]))
    assert page.status_code == 200
    assert 'id="documents-heading"' in page.text
    assert (
        reverse(
            "documents:case_document",
            args=[submitted.submission.case.uuid, receipt_of(submitted.submission).uuid],
        )
        not in page.text
    )


def test_modautal_clerk_gets_404_for_a_darmstadt_receipt(client, submitted, modautal_clerk):
    case = submitted.submission.case
    generate_receipt.call(submitted.submission.pk)
    document = receipt_of(submitted.submission)
    login_staff(client, modautal_clerk)

    url = reverse("documents:case_document", args=[case.uuid, document.uuid])
    assert client.get(url).status_code == 404


def test_a_document_of_another_case_is_404(client, offering, darmstadt_clerk, submit):
    from tests.factories import make_complete_draft

    first = submit(make_complete_draft(offering)).submission
    second = submit(make_complete_draft(offering, given_name="Max")).submission
    generate_receipt.call(second.pk)
    login_staff(client, darmstadt_clerk)

    url = reverse("documents:case_document", args=[first.case.uuid, receipt_of(second).uuid])
    assert client.get(url).status_code == 404


# --- measurement -----------------------------------------------------------------------------


def test_time_per_receipt(submitted):
    """Printed for the report, not asserted: the median render time of the demo-like receipt."""
    submission = load_submission(submitted.submission.pk)
    render_receipt(submission)  # the first render loads fonts and WeasyPrint itself
    times = []
    for _round in range(7):
        started = time.perf_counter()
        render_receipt(submission)
        times.append(time.perf_counter() - started)
    print(f"\nreceipt render: median {statistics.median(times) * 1000:.0f} ms over 7 runs")
