"""Case (Vorgang): the back-office life of a submission, and its status history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.exclude(status__in=[CaseStatus.CLOSED, CaseStatus.WITHDRAWN])


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="case")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("The processing municipality, whose inbox holds the case."),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
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

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="case_inbox_idx"),
            models.Index(fields=["municipality", "status"], name="case_status_idx"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.submission.reference_number or str(self.uuid)


class StatusEntry(models.Model):
    """One status a case entered: who moved it there, when, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_entries")
    status = models.CharField(_("status"), max_length=30, choices=CaseStatus.choices)
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
        return f"{self.case} → {self.get_status_display()}"
