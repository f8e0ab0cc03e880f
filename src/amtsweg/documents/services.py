"""The documents app's public door: asking for a receipt, finding documents for the people
allowed to see them, and the report of what is missing.

Scoping stays with the callers' accessors: the applicant's submission comes from their browser
session (``submissions.drafts.get_owned_submission``), the clerk's case from
``cases.services.get_case_for_user``; here documents are only looked up *within* those.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from amtsweg.cases.models import Case
from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.rendering import render_pdf
from amtsweg.lib.rows import insert_row
from amtsweg.submissions.models import Submission, SubmissionStatus

__all__ = [
    "Document",
    "DocumentKind",
    "GenerationState",
    "delete_documents_of",
    "document_response",
    "documents_of_case",
    "get_case_document",
    "missing_receipts",
    "ready_receipt",
    "render_pdf",
    "request_receipt",
]


def request_receipt(submission: Submission, case: Case) -> Document:
    """The pending row of a just-submitted application's receipt, written by the submit.

    Call it inside the submit's transaction (``submit_application`` does), which also enqueues
    the job that makes the PDF (``submissions.tasks.follow_up_submission``), so that no
    acknowledged submission is ever without its receipt row and job. The submission is numbered
    only now and has no receipt yet: one INSERT, no look-up (issue 9).
    """
    receipt = Document(
        submission=submission,
        kind=DocumentKind.RECEIPT,
        case=case,
        language=submission.language or "de",
    )
    insert_row(receipt)
    return receipt


def ready_receipt(submission: Submission) -> Document | None:
    """The submission's finished receipt, or None while it is being made (or failed)."""
    return (
        Document.objects.filter(
            submission=submission, kind=DocumentKind.RECEIPT, state=GenerationState.DONE
        )
        .select_related("submission")
        .first()
    )


def documents_of_case(case: Case) -> QuerySet[Document]:
    """Every document of a case the caller has already been allowed to see."""
    return Document.objects.filter(Q(case=case) | Q(submission_id=case.submission_id))


def get_case_document(case: Case, document_uuid: object) -> Document:
    """One finished document of ``case``; 404 for any other, another case's included."""
    try:
        return (
            documents_of_case(case)
            .filter(state=GenerationState.DONE)
            .select_related("submission")
            .get(uuid=document_uuid)
        )
    except (Document.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such document.")) from None


def document_response(document: Document) -> FileResponse:
    """The PDF as a download: never shown inline, never sniffed, never cached on the way."""
    try:
        content = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the storage.")) from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=document.download_name(),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def missing_receipts() -> QuerySet[Submission]:
    """Submitted applications without a finished receipt: the reconciliation report.

    Covers receipts pending or failed and submissions that have no receipt row at all (from
    before receipts existed); ``generate_receipt.enqueue(pk)`` for each makes them.
    """
    done = Document.objects.filter(kind=DocumentKind.RECEIPT, state=GenerationState.DONE)
    return Submission.objects.filter(status=SubmissionStatus.SUBMITTED).exclude(
        pk__in=done.values("submission_id")
    )


def delete_documents_of(submission: Submission) -> int:
    """Delete every document of a submission and its case (receipts hold the whole data set),
    for the retention task; the files go from storage once the transaction commits."""
    documents = list(
        Document.objects.filter(Q(submission=submission) | Q(case__submission=submission))
    )
    for document in documents:
        stored = document.file.name
        storage = document.file.storage
        document.delete()
        if stored:
            transaction.on_commit(lambda name=stored, storage=storage: storage.delete(name))
    return len(documents)
