"""Case (Vorgang): the back-office life of a submission, its status history, deadline and
result, and the records of deadline notices sent to clerks."""

import uuid
from datetime import date
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.models import Offering
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Municipality


class CaseStatus(models.TextChoices):
    """The default workflow's statuses (the German labels are what applicants and clerks see)."""

    RECEIVED = "received", _("received")
    IN_REVIEW = "in_review", _("in review")
    AWAITING_APPLICANT = "awaiting_applicant", _("awaiting applicant")
    DECIDED = "decided", _("decided")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


if TYPE_CHECKING:
    from amtsweg.cases.workflow import Workflow


class CaseResult(models.TextChoices):
    """How a case ended (Ergebnis); it decides how long its personal data is kept."""

    APPROVED = "approved", _("approved")
    PARTLY_APPROVED = "partly_approved", _("partly approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    SETTLED_OTHERWISE = "settled_otherwise", _("settled otherwise")


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        """Cases not yet ended. Every workflow's final statuses set ``closed_at``, so this
        holds for solution workflows with their own status names too."""
        return self.filter(closed_at__isnull=True)

    def overdue(self, today: date) -> "CaseQuerySet":
        """Open cases past their deadline whose clock runs (not waiting for the applicant)."""
        return self.open().filter(suspended_at__isnull=True, deadline__lt=today)

    def due_by(self, today: date, last_day: date) -> "CaseQuerySet":
        """Open, running cases due from ``today`` up to and including ``last_day``."""
        return self.open().filter(
            suspended_at__isnull=True, deadline__gte=today, deadline__lte=last_day
        )


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="case")
    # The submission's offering, copied when the case is opened (it never changes, not even
    # on hand-over): the inbox filters and counts by service without joining each case to its
    # submission (ADR 0007). No index of its own: ``case_offering_idx`` begins with it.
    offering = models.ForeignKey(
        Offering,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("service"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("The processing municipality, whose inbox holds the case."),
    )
    # A plain string: the statuses are the case's workflow's (cases.workflow), which a
    # solution version may define; CaseStatus names the default workflow's.
    status = models.CharField(_("status"), max_length=30, default=CaseStatus.RECEIVED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Deadline (Bearbeitungsfrist): a calendar date, see cases.deadlines.
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    suspended_at = models.DateTimeField(
        _("clock stopped at"),
        null=True,
        blank=True,
        help_text=_("Set while the case waits for the applicant; the deadline clock stops."),
    )
    paused_days = models.PositiveIntegerField(
        _("days paused"), default=0, help_text=_("Days the deadline moved while waiting.")
    )
    result = models.CharField(_("result"), max_length=30, choices=CaseResult.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    delete_personal_data_after = models.DateTimeField(
        _("delete personal data after"), null=True, blank=True
    )
    personal_data_deleted_at = models.DateTimeField(
        _("personal data deleted at"), null=True, blank=True
    )
    has_new_reply = models.BooleanField(
        _("new answer from the applicant"),
        default=False,
        help_text=_("Set when the applicant answers a follow-up request; cleared when seen."),
    )
    # Case-folded reference number, applicant name and answers, for the inbox search
    # (cases.search); PostgreSQL searches it with the German full-text configuration.
    search_text = models.TextField(blank=True, default="", editable=False)
    # Set by hand_over_case. The inbox lists the services of handed-over cases in its filter;
    # this flag and its partial index find them without reading every case of the inbox.
    handed_over = models.BooleanField(_("handed over"), default=False, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="case_inbox_idx"),
            models.Index(fields=["municipality", "status"], name="case_status_idx"),
            # The inbox's counts per status (ADR 0007): open cases, then the recently finished.
            # Each with the offering, so that a filter by service stays an index-only count.
            models.Index(
                fields=["municipality", "assignee", "status"],
                include=["offering"],
                condition=models.Q(closed_at__isnull=True),
                name="case_open_status_idx",
            ),
            models.Index(
                fields=["municipality", "closed_at"],
                include=["status", "offering", "assignee"],
                condition=models.Q(closed_at__isnull=False),
                name="case_finished_idx",
            ),
            # The inbox's list filtered by service (and status, assignee).
            models.Index(
                fields=["offering", "municipality", "status", "assignee"],
                name="case_offering_idx",
            ),
            models.Index(fields=["municipality", "deadline"], name="case_deadline_idx"),
            models.Index(fields=["delete_personal_data_after"], name="case_retention_idx"),
            models.Index(
                fields=["municipality"],
                condition=models.Q(handed_over=True),
                name="case_handed_over_idx",
            ),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.submission.reference_number or str(self.uuid)

    @cached_property
    def workflow(self) -> "Workflow":
        """The workflow of the solution version the applicant used."""
        from amtsweg.cases.workflow import workflow_of

        return workflow_of(self.submission.solution_version.workflow)

    @property
    def status_label(self) -> str:
        return self.workflow.label(self.status)

    def get_status_display(self) -> str:
        """Kept from when status had fixed choices; templates of other apps still call it."""
        return self.status_label

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, today: date) -> bool:
        return (
            self.is_open
            and self.suspended_at is None
            and self.deadline is not None
            and self.deadline < today
        )


class StatusEntry(models.Model):
    """One status a case entered: who moved it there, when, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_entries")
    status = models.CharField(_("status"), max_length=30)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status entry")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.case} → {self.status}"

    @property
    def status_label(self) -> str:
        return self.case.workflow.label(self.status)

    def get_status_display(self) -> str:
        return self.status_label


class DeadlineExtension(models.Model):
    """A deadline moved on by a clerk, with the reason (blanked with the personal data)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    previous_deadline = models.DateField(_("previous deadline"), null=True)
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.previous_deadline} → {self.new_deadline}"


class DeadlineNotice(models.Model):
    """The daily deadline e-mail sent to one clerk: at most one per clerk and day, so a
    repeated run of the task sends nothing twice. Reference numbers only, no personal data."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_notices"
    )
    sent_on = models.DateField(_("day"))
    due = models.JSONField(_("due reference numbers"), default=list)
    overdue = models.JSONField(_("overdue reference numbers"), default=list)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "sent_on"], name="one_notice_a_day")
        ]
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.sent_on}"


class MessageDirection(models.TextChoices):
    TO_APPLICANT = "to_applicant", _("from the office to the applicant")
    TO_OFFICE = "to_office", _("from the applicant to the office")


class MessageQuerySet(models.QuerySet["Message"]):
    def open_follow_ups(self) -> "MessageQuerySet":
        """Follow-up requests (Nachforderungen) still waiting for the applicant's answer."""
        return self.filter(is_follow_up_request=True, answered_at__isnull=True)


class Message(models.Model):
    """A message in a case's mailbox (Postfach) between the office and the applicant.

    A follow-up request (Nachforderung) is a message to the applicant with
    ``is_follow_up_request`` and a ``due_date``; the applicant's answer is a message of its
    own (``answer_to``). E-mails never carry subject or body: they only say that something
    new is waiting. ``applicant_notified_at``, ``staff_notified_at`` and
    ``reminder_sent_at`` record each e-mail, so a retried task sends nothing twice.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=20, choices=MessageDirection.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
        help_text=_("The clerk who wrote it; empty for the applicant's messages."),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    is_follow_up_request = models.BooleanField(_("follow-up request"), default=False)
    due_date = models.DateField(_("answer due by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        verbose_name=_("answer to"),
    )
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("document"),
        help_text=_("A document delivered with the message, such as a decision."),
    )
    applicant_notified_at = models.DateTimeField(null=True, blank=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["is_follow_up_request", "due_date"], name="message_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_follow_up_request=False)
                | (models.Q(direction="to_applicant") & models.Q(due_date__isnull=False)),
                name="follow_up_to_applicant_with_due_date",
            )
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.uuid}"

    @property
    def is_from_office(self) -> bool:
        return self.direction == MessageDirection.TO_APPLICANT

    @property
    def awaits_answer(self) -> bool:
        return self.is_follow_up_request and self.answered_at is None


def message_attachment_path(attachment: "MessageAttachment", filename: str) -> str:
    """Made of UUIDs only, like the submission's attachments (no names in storage paths)."""
    return f"messages/{attachment.message.case.uuid}/{attachment.uuid}"


class MessageAttachment(models.Model):
    """A file sent with a message, checked as strictly as the form's uploads
    (``submissions.attachments.check_upload``) and kept in the storage."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField(_("file"), upload_to=message_attachment_path, max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")

    def __str__(self) -> str:
        return self.original_name


@receiver(post_delete, sender=MessageAttachment)
def _delete_stored_file(
    sender: type[MessageAttachment], instance: MessageAttachment, **kwargs: Any
) -> None:
    """Remove the file once the row's deletion is committed (a rolled-back one keeps it)."""
    if instance.file.name:
        transaction.on_commit(partial(instance.file.storage.delete, instance.file.name))


class DecisionOutcome(models.TextChoices):
    """What a decision says; the values are the matching ``CaseResult`` values, so that the
    case's result for closing later is the decision's outcome."""

    APPROVED = CaseResult.APPROVED.value, _("approved")
    PARTLY_APPROVED = CaseResult.PARTLY_APPROVED.value, _("partly approved")
    REJECTED = CaseResult.REJECTED.value, _("rejected")


class DecisionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")


class Decision(models.Model):
    """A decision (Bescheid) on a case: its outcome and the variable parts the clerk wrote.

    The text parts are kept as written (not only in the PDF) so that a decision can be shown,
    searched and blanked by the retention task; the PDF is the ``document`` delivered to the
    applicant. A case has at most one issued decision: a double click issues one.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=30, choices=DecisionOutcome.choices)
    reasoning = models.TextField(_("reasoning"))
    conditions = models.TextField(_("conditions"), blank=True)
    fee = models.DecimalField(_("fee (EUR)"), max_digits=9, decimal_places=2, default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=DecisionState.choices, default=DecisionState.DRAFT
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        verbose_name=_("document"),
    )
    applicant_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="issued"),
                name="one_issued_decision_per_case",
            ),
            # The clerk's unsaved work between visits (cases.decision_drafts): one per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="draft"),
                name="one_decision_draft_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="issued") | models.Q(issued_at__isnull=False),
                name="issued_decision_has_date",
            ),
        ]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome} ({self.state})"


class MailKind(models.TextChoices):
    """The notification e-mails of a case (each names the object it is about by its id)."""

    RECEIVED = "received", _("confirmation of receipt")
    MESSAGE = "message", _("new message for the applicant")
    ANSWER = "answer", _("answer for the clerks")
    DECISION = "decision", _("decision for the applicant")
    REMINDER = "reminder", _("reminder of a follow-up request")


class MailOutcome(models.TextChoices):
    SENT = "sent", _("sent")
    RETRY = "retry", _("failed, will be tried again")
    GAVE_UP = "gave_up", _("failed, given up")


class MailAttemptQuerySet(models.QuerySet["MailAttempt"]):
    def given_up(self) -> "MailAttemptQuerySet":
        return self.filter(outcome=MailOutcome.GAVE_UP)


class MailAttempt(models.Model):
    """One attempt to send a notification e-mail, successful or not (cases.mail_delivery).

    A failed attempt says when the next one runs (``retry_at``); the last one gives up and is
    shown to the clerks in the case view. The row holds the error, never the mail's content.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mail_attempts")
    kind = models.CharField(_("e-mail"), max_length=20, choices=MailKind.choices)
    object_id = models.PositiveBigIntegerField(_("about"))
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=MailOutcome.choices)
    error = models.CharField(_("error"), max_length=500, blank=True)
    retry_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = MailAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "kind", "object_id"], name="mail_attempt_idx")]
        verbose_name = _("e-mail attempt")
        verbose_name_plural = _("e-mail attempts")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} #{self.attempt}: {self.outcome}"
