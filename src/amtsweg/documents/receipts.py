"""The receipt (Eingangsbestätigung): what it says and the machine-readable data it carries.

Everything here reads the submission as it was committed; nothing changes state (that is the
task's business, ``documents.tasks.generate_receipt``).
"""

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from amtsweg.documents.rendering import EmbeddedFile, RenderedPdf, render_pdf_document
from amtsweg.forms.services import summarize
from amtsweg.submissions.models import Submission

TEMPLATE = "documents/receipt.html"
#: The embedded file's name; a Fachverfahren or an archive finds the data under it.
DATA_FILE_NAME = "submission.json"


def load_submission(submission_id: int) -> Submission:
    """The submission with everything the receipt shows, in a few queries."""
    return (
        Submission.objects.select_related(
            "offering__municipality",
            "processing_municipality",
            "solution_version__solution__service",
        )
        .prefetch_related("attachments")
        .get(pk=submission_id)
    )


def receipt_data(submission: Submission) -> dict[str, Any]:
    """The machine-readable content embedded in the receipt as ``submission.json``.

    The data is exactly what was submitted (the same keys as ``Submission.data``), with the
    identifiers needed to read it: the offering and the solution version whose form definition
    describes the keys.
    """
    version = submission.solution_version
    return {
        "reference_number": submission.reference_number,
        "offering": str(submission.offering.uuid),
        "solution": str(version.solution.uuid),
        "solution_version": version.number,
        "leika_key": version.solution.service.leika_key,
        "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else None,
        "language": submission.language,
        "data": submission.data,
    }


def receipt_context(submission: Submission) -> dict[str, Any]:
    """The template context; labels come out in the active language (call it translated)."""
    version = submission.solution_version
    service = version.solution.service
    return {
        "submission": submission,
        "offering": submission.offering,
        # The letterhead is the authority the applicant applied to; the processing office
        # (another municipality under an IKZ agreement) is named in the facts table.
        "authority": submission.offering.municipality,
        "processing_municipality": submission.processing_municipality,
        "reference_number": submission.reference_number,
        "submitted_at": submission.submitted_at,
        "service_name": service.name,
        "leika_key": service.leika_key,
        "solution_version": version,
        "sections": summarize(version.form_definition, submission.data, submission.form_options),
        "attachments": list(submission.attachments.all()),
        "embedded_name": DATA_FILE_NAME,
    }


def render_receipt(submission: Submission) -> RenderedPdf:
    """The receipt PDF (PDF/A-3b) in the submission's language, with its data embedded;
    rendered at ``RECEIPT_RENDER_NICENESS`` (and ``RECEIPT_RENDER_IDLE``), since receipts may
    follow a peak."""
    language = submission.language or "de"
    data = json.dumps(
        receipt_data(submission), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode()
    with translation.override(language):
        context = receipt_context(submission)
    return render_pdf_document(
        TEMPLATE,
        context,
        attachments=[
            EmbeddedFile(
                name=DATA_FILE_NAME,
                content=data,
                description="Submitted data (JSON)",
                media_type="application/json",
                relationship="Data",
                created=submission.submitted_at,
            )
        ],
        language=language,
        niceness=settings.RECEIPT_RENDER_NICENESS,
        idle=settings.RECEIPT_RENDER_IDLE,
    )
