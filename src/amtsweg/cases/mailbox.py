"""The case's mailbox (Postfach): messages between office and applicant, follow-up requests
(Nachforderungen) and their answers, one transactional, audited function per change.

Audit events name the message, never its subject or body: the audit trail outlives the
retention period of personal data. E-mails are sent by tasks (``cases.tasks``) enqueued in
the same transaction as the message, and say only that something new is waiting.
"""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.cases.actions import TransitionRefused, change_case_status, enter_status, locked_case
from amtsweg.cases.models import (
    Case,
    CaseStatus,
    Message,
    MessageAttachment,
    MessageDirection,
)
from amtsweg.cases.permissions import require_worker
from amtsweg.cases.tasks import notify_applicant_of_message, notify_staff_of_answer
from amtsweg.cases.workflow import OPEN, WAITING
from amtsweg.forms.registry import FieldError
from amtsweg.identity.bundid.models import Citizen
from amtsweg.submissions.attachments import check_upload
from amtsweg.submissions.models import Submission, SubmissionStatus

#: What an applicant may send with an answer: the form uploads' types and size, five files.
ANSWER_TYPES = ["application/pdf", "image/png", "image/jpeg"]
ANSWER_MAX_SIZE_MB = 10
ANSWER_MAX_FILES = 5
MAX_BODY = 10_000


class AnswerRefused(Exception):
    """The applicant's answer cannot be accepted; the message says why and what to do, and
    ``field`` names the form field it concerns ("files", "body", or None for the whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_text(subject: str, body: str) -> tuple[str, str]:
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise TransitionRefused(_("A message needs a subject and a text."))
    if len(subject) > 200 or len(body) > MAX_BODY:
        raise TransitionRefused(_("The message is too long."))
    return subject, body


def _require_mailbox(case: Case) -> None:
    """Messages reach only applicants who logged in with BundID: others have no mailbox,
    and a message nobody can read must not look sent."""
    if case.submission.citizen_id is None:
        raise TransitionRefused(
            _(
                "The applicant did not log in with BundID and has no mailbox. "
                "Contact them by other means."
            )
        )
    if case.personal_data_deleted_at is not None:
        raise TransitionRefused(_("The personal data of this case has been deleted."))


def send_message(case: Case, subject: str, body: str, *, actor: AbstractBaseUser) -> Message:
    """Send a message from the office to the applicant's mailbox; the applicant gets an
    e-mail saying only that a message is waiting."""
    require_worker(actor, case)
    subject, body = _check_text(subject, body)
    with transaction.atomic():
        locked = locked_case(case)
        _require_mailbox(locked)
        message = Message.objects.create(
            case=locked,
            direction=MessageDirection.TO_APPLICANT,
            subject=subject,
            body=body,
            sender=actor,
        )
        record_event(
            "case.message_sent",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={"message": str(message.uuid)},
        )
        notify_applicant_of_message.enqueue(message.pk)
    return message


def _waiting_target(case: Case) -> str | None:
    """The waiting status the workflow allows from the case's status (None when none)."""
    workflow = case.workflow
    for target in workflow.next_statuses(case.status):
        if workflow.statuses[target].kind == WAITING:
            return target
    return None


def can_request_follow_up(case: Case) -> bool:
    """Whether the workflow lets this case wait for the applicant now (or it already waits),
    so the case view offers the follow-up form only where sending it can succeed."""
    if not case.is_open:
        return False
    return case.workflow.statuses[case.status].kind == WAITING or _waiting_target(case) is not None


def request_follow_up(
    case: Case, subject: str, body: str, due_date: date, *, actor: AbstractBaseUser
) -> Message:
    """Ask the applicant for missing items by ``due_date`` (Nachforderung).

    The case moves to its workflow's waiting status through ``change_case_status`` (which
    checks the transition and stops the deadline clock); a case already waiting gets the
    further request without another status change.
    """
    require_worker(actor, case)
    subject, body = _check_text(subject, body)
    if due_date <= timezone.localdate():
        raise TransitionRefused(_("The answer must be due on a day after today."))
    with transaction.atomic():
        locked = locked_case(case)
        _require_mailbox(locked)
        if not locked.is_open:
            raise TransitionRefused(_("A finished case cannot ask for anything more."))
        if locked.workflow.statuses[locked.status].kind != WAITING:
            target = _waiting_target(locked)
            if target is None:
                raise TransitionRefused(
                    _("A case in status “%(current)s” cannot wait for the applicant.")
                    % {"current": locked.status_label}
                )
            locked = change_case_status(
                locked, target, actor=actor, comment=_("Follow-up request sent.")
            )
        message = Message.objects.create(
            case=locked,
            direction=MessageDirection.TO_APPLICANT,
            subject=subject,
            body=body,
            sender=actor,
            is_follow_up_request=True,
            due_date=due_date,
        )
        record_event(
            "case.follow_up_requested",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={"message": str(message.uuid), "due_date": due_date.isoformat()},
        )
        notify_applicant_of_message.enqueue(message.pk)
    return message


def _review_target(case: Case) -> str | None:
    """Where an answered case goes: "in review" when the workflow leads there, else the
    first open (not waiting) status it leads to."""
    workflow = case.workflow
    targets = [
        target
        for target in workflow.next_statuses(case.status)
        if workflow.statuses[target].kind == OPEN
    ]
    if CaseStatus.IN_REVIEW.value in targets:
        return CaseStatus.IN_REVIEW.value
    return targets[0] if targets else None


def _checked_files(files: list[UploadedFile]) -> list[tuple[UploadedFile, dict[str, Any]]]:
    if len(files) > ANSWER_MAX_FILES:
        raise AnswerRefused(
            _("You can send at most %(count)d files with an answer.")
            % {"count": ANSWER_MAX_FILES},
            "files",
        )
    try:
        return [
            (
                upload,
                check_upload(upload, accepted=ANSWER_TYPES, max_size_mb=ANSWER_MAX_SIZE_MB),
            )
            for upload in files
        ]
    except FieldError as refused:
        raise AnswerRefused(str(refused), "files") from None


def answer_follow_up(
    message: Message, body: str, files: list[UploadedFile], *, citizen: Citizen
) -> Message:
    """Record the applicant's answer to a follow-up request, with text and files.

    Every file is checked before anything is stored, and files written to the storage are
    removed again when the transaction fails, so a refused answer leaves nothing behind.
    (The files are written inside the transaction, unlike the form's uploads: an answer has
    at most five small files, and their storage path needs the answer's row.)
    The case leaves the waiting status (the clock runs again) once no request is open, is
    flagged for the clerks (``has_new_reply``), and the assignee (or, without one, the
    inbox's clerks) get an e-mail that only says an answer arrived.
    """
    if message.case.submission.citizen_id != citizen.pk:
        raise PermissionDenied
    body = body.strip()
    if not body and not files:
        raise AnswerRefused(_("Write an answer or attach at least one file."))
    if len(body) > MAX_BODY:
        raise AnswerRefused(_("The answer is too long."), "body")
    checked = _checked_files(files)
    stored: list[MessageAttachment] = []
    try:
        with transaction.atomic():
            request = (
                Message.objects.select_for_update(of=("self",))
                .select_related("case")
                .get(pk=message.pk)
            )
            case = locked_case(request.case)
            if not request.awaits_answer:
                raise AnswerRefused(_("This request has already been answered."))
            if not case.is_open:
                raise AnswerRefused(_("This application is finished; it takes no answers."))
            now = timezone.now()
            answer = Message.objects.create(
                case=case,
                direction=MessageDirection.TO_OFFICE,
                subject=(_("Answer: %(subject)s") % {"subject": request.subject})[:200],
                body=body,
                answer_to=request,
            )
            for upload, facts in checked:
                attachment = MessageAttachment(message=answer, **facts)
                upload.seek(0)
                attachment.file.save(attachment.uuid.hex, upload, save=False)
                stored.append(attachment)
                attachment.save()
            request.answered_at = now
            request.save(update_fields=["answered_at"])
            data: dict[str, Any] = {
                "message": str(request.uuid),
                "answer": str(answer.uuid),
                "files": len(stored),
            }
            still_open = Message.objects.filter(case=case).open_follow_ups().exists()
            target = _review_target(case)
            if case.workflow.statuses[case.status].kind == WAITING and not still_open and target:
                data.update(enter_status(case, target, now, "", {"actor": None}))
            case.has_new_reply = True
            case.save(update_fields=["has_new_reply", "updated_at"])
            record_event(
                "case.follow_up_answered",
                case,
                actor_label="applicant",
                chain=case.municipality.ags,
                data=data,
            )
            notify_staff_of_answer.enqueue(answer.pk)
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return answer


def mark_read(message: Message, *, citizen: Citizen) -> Message:
    """The applicant opened an office message: note when, once (audited the first time)."""
    if message.case.submission.citizen_id != citizen.pk:
        raise PermissionDenied
    if message.read_at is not None or not message.is_from_office:
        return message
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if updated:
            record_event(
                "case.message_read",
                message.case,
                actor_label="applicant",
                chain=message.case.municipality.ags,
                data={"message": str(message.uuid)},
            )
    message.refresh_from_db(fields=["read_at"])
    return message


def mark_replies_seen(case: Case, *, actor: AbstractBaseUser) -> Case:
    """A clerk has seen the applicant's answers: they count as read and the inbox flag goes."""
    require_worker(actor, case)
    with transaction.atomic():
        locked = locked_case(case)
        now = timezone.now()
        read = Message.objects.filter(
            case=locked, direction=MessageDirection.TO_OFFICE, read_at__isnull=True
        ).update(read_at=now)
        if locked.has_new_reply or read:
            locked.has_new_reply = False
            locked.save(update_fields=["has_new_reply", "updated_at"])
            record_event(
                "case.replies_seen",
                locked,
                actor=actor,
                chain=locked.municipality.ags,
                data={"messages": read},
            )
    return locked


def messages_of(case: Case) -> QuerySet[Message]:
    """The case's thread, oldest first, with senders and files preloaded."""
    return (
        Message.objects.filter(case=case)
        .select_related("sender", "case__submission", "case__municipality", "document")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def get_message_attachment(case: Case, attachment_uuid: object) -> MessageAttachment:
    """A file of one of the case's messages; 404 for any other."""
    try:
        return MessageAttachment.objects.select_related("message").get(
            message__case=case, uuid=attachment_uuid
        )
    except (MessageAttachment.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such attachment.")) from None


# --- the citizen's scoped accessors ----------------------------------------------------------


def submissions_of_citizen(citizen: Citizen) -> QuerySet[Submission]:
    """The citizen's submitted applications, newest first, with their cases."""
    return (
        Submission.objects.filter(citizen=citizen, status=SubmissionStatus.SUBMITTED)
        .select_related(
            "case", "offering__municipality", "solution_version", "processing_municipality"
        )
        .defer("data", "solution_version__form_definition")
        .order_by("-submitted_at", "-pk")
    )


def drafts_of_citizen(citizen: Citizen) -> list[Submission]:
    """The citizen's drafts that can still be resumed (expired ones are gone for them)."""
    drafts = (
        Submission.objects.filter(citizen=citizen, status=SubmissionStatus.DRAFT)
        .select_related("offering__municipality")
        .defer("data", "solution_version__form_definition")
        .order_by("-updated_at")
    )
    return [draft for draft in drafts if not draft.is_expired()]


def get_submission_for_citizen(citizen: Citizen, submission_uuid: object) -> Submission:
    """The citizen's own submitted application with this UUID; 404 for anyone else's."""
    try:
        return (
            Submission.objects.filter(citizen=citizen, status=SubmissionStatus.SUBMITTED)
            .select_related("case__municipality", "offering__municipality", "solution_version")
            .get(uuid=submission_uuid)
        )
    except (Submission.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such application.")) from None


def get_draft_for_citizen(citizen: Citizen, draft_uuid: object) -> Submission:
    """The citizen's own open draft with this UUID; 404 for anyone else's or an expired one."""
    try:
        draft = Submission.objects.select_related("solution_version").get(
            citizen=citizen, status=SubmissionStatus.DRAFT, uuid=draft_uuid
        )
    except (Submission.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such draft.")) from None
    if draft.is_expired():
        raise Http404(_("This draft has expired."))
    return draft


def get_follow_up_for_citizen(submission: Submission, message_uuid: object) -> Message:
    """A follow-up request in the citizen's own case (``submission`` comes from
    ``get_submission_for_citizen``); 404 for any other message."""
    try:
        return Message.objects.select_related("case__submission", "case__municipality").get(
            case__submission=submission,
            uuid=message_uuid,
            is_follow_up_request=True,
        )
    except (Message.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such request.")) from None
