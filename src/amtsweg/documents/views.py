"""Downloads of generated documents: the applicant's receipt (scoped to their browser session)
and a case's documents for its clerks (scoped with ``get_case_for_user``)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsweg.cases.services import get_case_for_user
from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.services import document_response, get_case_document, ready_receipt
from amtsweg.submissions import drafts


@never_cache
@require_GET
def receipt(request: HttpRequest, submission_uuid: object) -> HttpResponse:
    """The receipt of an application this browser session submitted or looked up with its
    reference number and access code. While the task is still making it, a page says so
    (202), so that the link on the confirmation page works from the first second."""
    submission = drafts.get_owned_submission(request, submission_uuid)
    if not submission.is_submitted:
        raise Http404(_("This application has not been submitted yet."))
    document = ready_receipt(submission)
    if document is None:
        return render(
            request,
            "documents/receipt_pending.html",
            {"submission": submission, "offering": submission.offering},
            status=202,
        )
    return document_response(document)


@never_cache
@require_GET
def applicant_document(
    request: HttpRequest, submission_uuid: object, document_uuid: object
) -> HttpResponse:
    """A decision for an applicant without BundID: the browser session must own the
    submission (it looked it up with reference number and access code on the status page);
    any other session, and any other document, gets 404."""
    submission = drafts.get_owned_submission(request, submission_uuid)
    document = (
        Document.objects.filter(
            submission=submission, kind=DocumentKind.DECISION, state=GenerationState.DONE
        )
        .select_related("submission")
        .filter(uuid=document_uuid)
        .first()
    )
    if document is None:
        raise Http404(_("No such document."))
    return document_response(document)


@login_required
@require_GET
def case_document(request: HttpRequest, case_uuid: object, document_uuid: object) -> HttpResponse:
    """One document of a case the user may see; 404 for anyone else's."""
    case = get_case_for_user(request.user, case_uuid)
    return document_response(get_case_document(case, document_uuid))
