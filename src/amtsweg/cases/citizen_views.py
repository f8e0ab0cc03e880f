"""Mein Amtsweg: the citizen's own area, for citizens logged in with BundID.

Their submitted applications with the live status of each case, their drafts to resume, and
per case a mailbox: messages from the office, follow-up requests to answer with text and
files, documents to download, and the withdrawal of the application. Every object is reached
through ``get_submission_for_citizen`` (or ``get_draft_for_citizen``), so another citizen's
application answers 404. Thin: the logic is in ``cases.mailbox`` and ``cases.actions``.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.cases.actions import TransitionRefused, can_withdraw, withdraw_case
from amtsweg.cases.forms import AnswerForm, WithdrawForm
from amtsweg.cases.mailbox import (
    ANSWER_MAX_FILES,
    AnswerRefused,
    answer_follow_up,
    drafts_of_citizen,
    get_draft_for_citizen,
    get_follow_up_for_citizen,
    get_message_attachment,
    get_submission_for_citizen,
    mark_read,
    messages_of,
    submissions_of_citizen,
)
from amtsweg.cases.models import Message, MessageDirection
from amtsweg.cases.views import file_download
from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid.models import Citizen
from amtsweg.identity.bundid.services import citizen_account, current_citizen, login_url
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import missing_steps

CitizenView = Callable[..., HttpResponse]


def citizen_required(view: CitizenView) -> Callable[..., HttpResponse]:
    """Let only citizens logged in with BundID in; anyone else goes to the log-in and comes
    back here afterwards. The view gets the ``Citizen`` row as its second argument."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = citizen_account(current_citizen(request))
        if citizen is None:
            return HttpResponseRedirect(login_url(TrustLevel.LOW, request.get_full_path()))
        response = view(request, citizen, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


@require_GET
@citizen_required
def home(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    """The citizen's applications with their status, and the drafts they can go on with."""
    submissions = list(submissions_of_citizen(citizen))
    unread = set(_with_unread_messages(submissions))
    return render(
        request,
        "cases/citizen/home.html",
        {"submissions": submissions, "drafts": drafts_of_citizen(citizen), "unread": unread},
    )


def _with_unread_messages(submissions: list[Submission]) -> list[int]:
    """Ids of the submissions whose mailbox holds an unread message from the office."""
    return list(
        Message.objects.filter(
            case__submission__in=submissions,
            direction=MessageDirection.TO_APPLICANT,
            read_at__isnull=True,
        ).values_list("case__submission_id", flat=True)
    )


def applicant_documents(submission: Submission) -> list[Any]:
    """Hook for the documents app: the finished documents (receipt, decision) of the case.

    The documents app is optional here: without it the mailbox simply shows none.
    """
    if not apps.is_installed("amtsweg.documents"):
        return []
    from amtsweg.documents.services import GenerationState, documents_of_case

    return list(documents_of_case(submission.case).filter(state=GenerationState.DONE))


def _render_mailbox(
    request: HttpRequest,
    citizen: Citizen,
    submission: Submission,
    failed: tuple[str, AnswerForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = submission.case
    thread = list(messages_of(case))
    for message in thread:
        if message.is_from_office and message.read_at is None:
            mark_read(message, citizen=citizen)
            message.is_new = True
    forms = {
        str(message.uuid): AnswerForm(auto_id=f"answer-{message.uuid}-%s")
        for message in thread
        if message.awaits_answer and case.is_open
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    for message in thread:
        message.answer_form = forms.get(str(message.uuid))
    return render(
        request,
        "cases/citizen/mailbox.html",
        {
            "submission": submission,
            "case": case,
            "thread": thread,
            "documents": applicant_documents(submission),
            "can_withdraw": can_withdraw(case),
            "has_errors": failed is not None,
            "max_files": ANSWER_MAX_FILES,
        },
        status=status,
    )


@never_cache
@require_GET
@citizen_required
def mailbox(request: HttpRequest, citizen: Citizen, submission_uuid: object) -> HttpResponse:
    """The case's mailbox; opening it marks the office's messages read."""
    submission = get_submission_for_citizen(citizen, submission_uuid)
    return _render_mailbox(request, citizen, submission)


@require_POST
@citizen_required
def answer(
    request: HttpRequest, citizen: Citizen, submission_uuid: object, message_uuid: object
) -> HttpResponse:
    """Answer a follow-up request with text and files; a refusal is shown on the mailbox
    page with the reason (400) and nothing is kept."""
    submission = get_submission_for_citizen(citizen, submission_uuid)
    request_message = get_follow_up_for_citizen(submission, message_uuid)
    form = AnswerForm(request.POST, request.FILES, auto_id=f"answer-{message_uuid}-%s")
    if form.is_valid():
        try:
            answer_follow_up(
                request_message,
                form.cleaned_data["body"],
                [upload for upload in request.FILES.getlist("files") if upload.name],
                citizen=citizen,
            )
        except AnswerRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, _("Thank you. Your answer has been sent to the office."))
            return redirect("citizen:mailbox", submission_uuid=submission.uuid)
    return _render_mailbox(
        request, citizen, submission, failed=(str(request_message.uuid), form), status=400
    )


@require_GET
@citizen_required
def attachment(
    request: HttpRequest, citizen: Citizen, submission_uuid: object, attachment_uuid: object
) -> HttpResponse:
    """A file of a message in the citizen's own mailbox."""
    submission = get_submission_for_citizen(citizen, submission_uuid)
    return file_download(get_message_attachment(submission.case, attachment_uuid))


@require_GET
@citizen_required
def document(
    request: HttpRequest, citizen: Citizen, submission_uuid: object, document_uuid: object
) -> HttpResponse:
    """A finished document (receipt, decision) of the citizen's own case."""
    submission = get_submission_for_citizen(citizen, submission_uuid)
    from amtsweg.documents.services import document_response, get_case_document

    return document_response(get_case_document(submission.case, document_uuid))


@require_http_methods(["GET", "POST"])
@citizen_required
def withdraw(request: HttpRequest, citizen: Citizen, submission_uuid: object) -> HttpResponse:
    """Withdraw the application after an explicit confirmation (a ticked box)."""
    submission = get_submission_for_citizen(citizen, submission_uuid)
    case = submission.case
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                withdraw_case(case, by_applicant=True)
            except TransitionRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Your application has been withdrawn."))
                return redirect("citizen:mailbox", submission_uuid=submission.uuid)
        status = 400
    return render(
        request,
        "cases/citizen/withdraw.html",
        {
            "submission": submission,
            "case": case,
            "form": form,
            "can_withdraw": can_withdraw(case),
        },
        status=status,
    )


@require_GET
@citizen_required
def resume_draft(request: HttpRequest, citizen: Citizen, draft_uuid: object) -> HttpResponse:
    """Go on with one's own draft, in whichever session: a logged-in citizen's drafts belong
    to their account (``submissions.drafts``). They continue at the first step not yet
    completed."""
    draft = get_draft_for_citizen(citizen, draft_uuid)
    if missing := missing_steps(draft):
        return redirect("submissions:step", draft_uuid=draft.uuid, step_key=missing[0])
    return redirect(reverse("submissions:summary", args=[draft.uuid]))
