"""Background jobs that make documents: the receipt of every submission, and the retry of
what is missing.

The generation keeps its own state on the ``Document`` row (DESIGN rule 6): the row is
claimed under a lock, the PDF is rendered outside any transaction (rendering takes a while and
must not hold a database lock, on SQLite that would stop every writer), then stored under the
lock again. Under the idle policy the job waits before rendering until the machine has some
CPU to spare (ADR 0010, second addendum). A second job for the same receipt finds it done and
does nothing; two jobs racing store one file; a failure is recorded on the row and raised, so
the task system marks the job failed and ``retry_missing_receipts`` enqueues it again.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from amtsweg.audit.services import record_event
from amtsweg.cases.models import Case
from amtsweg.documents.models import Document, DocumentKind, GenerationState, document_path
from amtsweg.documents.receipts import load_submission, render_receipt
from amtsweg.documents.rendering import RenderedPdf
from amtsweg.lib.niceness import idle_policy_applies, wait_for_free_cpu
from amtsweg.scheduling.services import periodic
from amtsweg.submissions.models import Submission, SubmissionStatus

logger = logging.getLogger(__name__)

#: After this many failed attempts a receipt is no longer retried on its own; it stays in the
#: report of missing documents (``documents.services.missing_receipts``) for someone to look at.
MAX_ATTEMPTS = 5
#: Receipts retried per run of ``retry_missing_receipts``, so one run stays short.
RETRY_BATCH = 200


@task()
def generate_receipt(submission_id: int) -> str:
    """Make the receipt PDF of a submission, once.

    Returns what happened: ``"generated"``, ``"exists"`` (a finished receipt was found) or
    ``"not submitted"``.
    """
    document = _claim_receipt(submission_id)
    if isinstance(document, str):
        return document
    if idle_policy_applies(settings.RECEIPT_RENDER_NICENESS, settings.RECEIPT_RENDER_IDLE):
        # Under the idle policy, also let a peak pass first (ADR 0010, second addendum).
        waited = wait_for_free_cpu(settings.RECEIPT_FREE_CPU_WAIT)
        logger.debug("Receipt of submission %s waited %.1f s for free CPU", submission_id, waited)
    try:
        rendered = render_receipt(load_submission(submission_id))
    except Exception as error:
        _record_failure(document.pk, error)
        raise
    return _store(document.pk, rendered)


def _claim_receipt(submission_id: int) -> Document | str:
    """Lock (or create) the receipt's row and count the attempt; or say why there is nothing
    to do: ``"exists"``, or ``"not submitted"`` (a receipt confirms a submission only)."""
    with transaction.atomic():
        submission = (
            Submission.objects.filter(pk=submission_id).only("pk", "status", "language").first()
        )
        if submission is None or submission.status != SubmissionStatus.SUBMITTED:
            return "not submitted"
        document = _locked_receipt(submission)
        if document.state == GenerationState.DONE:
            return "exists"
        document.attempts += 1
        document.save(update_fields=["attempts"])
        return document


def _locked_receipt(submission: Submission) -> Document:
    receipts = Document.objects.select_for_update().filter(
        submission_id=submission.pk, kind=DocumentKind.RECEIPT
    )
    if (document := receipts.first()) is not None:
        return document
    try:
        # A submission from before receipts existed, or a row lost some other way.
        with transaction.atomic():
            Document.objects.create(
                submission_id=submission.pk,
                case=_case_of(submission.pk),
                kind=DocumentKind.RECEIPT,
                language=submission.language or "de",
            )
    except IntegrityError:
        pass  # another job created it a moment ago
    return receipts.get()


def _case_of(submission_id: int) -> Case | None:
    return Case.objects.filter(submission_id=submission_id).first()


def _store(document_id: int, rendered: RenderedPdf) -> str:
    """Write the file and mark the row done, unless another job did so meanwhile."""
    saved = ""
    try:
        with transaction.atomic():
            document = (
                Document.objects.select_for_update(of=("self",))
                .select_related("submission__processing_municipality")
                .get(pk=document_id)
            )
            if document.state == GenerationState.DONE:
                return "exists"
            storage = document.file.storage
            name = document_path(document, "")
            if storage.exists(name):
                # Left by an attempt that died between writing and committing: not a document.
                storage.delete(name)
            saved = storage.save(name, ContentFile(rendered.content))
            document.file.name = saved
            document.sha256 = hashlib.sha256(rendered.content).hexdigest()
            document.size = len(rendered.content)
            document.page_count = rendered.page_count
            document.state = GenerationState.DONE
            document.last_error = ""
            document.generated_at = timezone.now()
            document.save()
            submission = document.submission
            record_event(
                f"document.{document.kind}.generated",
                document,
                actor_label="system",
                chain=submission.processing_municipality.ags,
                data={
                    "reference_number": submission.reference_number,
                    "sha256": document.sha256,
                    "pages": document.page_count,
                },
            )
    except Exception:
        if saved:
            Document.file.field.storage.delete(saved)
        raise
    logger.info("Generated %s %s (%d pages)", document.kind, document.uuid, rendered.page_count)
    return "generated"


def _record_failure(document_id: int, error: BaseException) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    Document.objects.filter(pk=document_id).exclude(state=GenerationState.DONE).update(
        state=GenerationState.FAILED, last_error=message
    )
    logger.exception("Generating document %s failed", document_id)


@periodic(every=timedelta(hours=1), name="documents.retry_missing_receipts")
@task()
def retry_missing_receipts() -> dict[str, int]:
    """Enqueue the receipts that failed (fewer than ``MAX_ATTEMPTS`` times) again.

    Pending receipts are left alone: their job is still in the queue, and enqueuing it twice
    would only make the second one find the receipt done.
    """
    failed = list(
        Document.objects.filter(
            kind=DocumentKind.RECEIPT, state=GenerationState.FAILED, attempts__lt=MAX_ATTEMPTS
        ).values_list("submission_id", flat=True)[:RETRY_BATCH]
    )
    with transaction.atomic():
        for submission_id in failed:
            generate_receipt.enqueue(submission_id)
    return {"enqueued": len(failed)}
