"""Submission (Antrag): an applicant's data for an offering, from draft to submitted, and the
files attached to it."""

import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.models import Offering, SolutionVersion, TrustLevel
from amtsweg.submissions.fields import EncryptedJSONField
from amtsweg.tenants.models import Municipality


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


def draft_expiry(now: datetime | None = None) -> datetime:
    """When a draft saved ``now`` expires: ``AMTSWEG_DRAFT_DAYS`` later."""
    return (now or timezone.now()) + timedelta(days=settings.AMTSWEG_DRAFT_DAYS)


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def expired_drafts(self, now: datetime) -> "SubmissionQuerySet":
        """Drafts whose time is up. Drafts from before ``expires_at`` existed (NULL) expire
        ``AMTSWEG_DRAFT_DAYS`` after their last change, as ``Submission.draft_expires_at``
        says; submitted applications are never in here."""
        legacy_cutoff = now - timedelta(days=settings.AMTSWEG_DRAFT_DAYS)
        return self.filter(status=SubmissionStatus.DRAFT).filter(
            models.Q(expires_at__lte=now)
            | models.Q(expires_at__isnull=True, updated_at__lte=legacy_cutoff)
        )


class Submission(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="submissions")
    solution_version = models.ForeignKey(
        SolutionVersion,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_(
            "The version the applicant filled in; it stays even when the offering moves on."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    # The applicant's answers, encrypted at rest (ADR 0008).
    data = EncryptedJSONField(_("data"), default=dict)
    option_values = models.JSONField(
        _("option values"),
        null=True,
        blank=True,
        help_text=_(
            "The offering's configurable options as they were at the submit; the form's "
            "conditions read these, so the case renders as it was made. Empty for a draft."
        ),
    )
    completed_steps = models.JSONField(_("completed steps"), default=list)
    trust_level = models.CharField(
        _("trust level reached"),
        max_length=20,
        choices=TrustLevel.choices,
        default=TrustLevel.NONE,
    )
    # Who applies, when logged in with BundID: the citizen account and, for an organisation
    # account, the organisation the application is made for.
    citizen = models.ForeignKey(
        "bundid.Citizen",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    on_behalf_of_name = models.CharField(_("on behalf of"), max_length=200, blank=True)
    on_behalf_of_id = models.CharField(
        _("identifier of the organisation"), max_length=100, blank=True
    )
    applicant_name = models.CharField(_("applicant"), max_length=200, blank=True)
    applicant_email = models.EmailField(_("applicant e-mail"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        default="de",
        help_text=_("Used for messages to the applicant."),
    )
    # Set on submission.
    processing_municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processed_submissions",
    )
    # NULL (not "") for drafts, so that the unique constraint ignores them.
    reference_number = models.CharField(
        _("reference number"), max_length=30, null=True, blank=True, unique=True
    )
    access_code_hash = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation e-mail sent at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "A draft is deleted after this moment; every saved step moves it on. "
            "Empty once submitted."
        ),
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "idempotency_key"], name="unique_submission_idempotency_key"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (
                    models.Q(reference_number__isnull=False)
                    & models.Q(submitted_at__isnull=False)
                    & models.Q(processing_municipality__isnull=False)
                ),
                name="submitted_has_reference",
            ),
        ]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return self.reference_number or f"{_('draft')} {self.uuid}"

    @property
    def is_submitted(self) -> bool:
        return self.status == SubmissionStatus.SUBMITTED

    @property
    def draft_expires_at(self) -> datetime | None:
        """When this draft expires; None for a submitted application."""
        if self.is_submitted:
            return None
        if self.expires_at is not None:
            return self.expires_at
        return self.updated_at + timedelta(days=settings.AMTSWEG_DRAFT_DAYS)

    @property
    def form_options(self) -> dict[str, Any]:
        """The option values the form's conditions read (``$options``): those recorded at the
        submit, or for a draft (and a submission from before they were recorded) the
        offering's current choices for this version."""
        if self.option_values is not None:
            return self.option_values
        chosen = self.offering.option_values if self.offering_id else None
        return self.solution_version.resolve_options(chosen)

    def is_expired(self, now: datetime | None = None) -> bool:
        """An expired draft counts as gone, even before the daily clean-up has deleted it."""
        expiry = self.draft_expires_at
        return expiry is not None and expiry <= (now or timezone.now())


class ReferenceSequence(models.Model):
    """The last reference number handed out by one processing municipality in one year."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="unique_sequence_year")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.year}: {self.last_number}"


def attachment_path(attachment: "Attachment", filename: str) -> str:
    """Where an upload is stored: made of UUIDs only. The applicant's file name is never part
    of a storage path (no path tricks, no personal data in object keys, no collisions)."""
    return f"attachments/{attachment.submission.uuid}/{attachment.uuid}"


class Attachment(models.Model):
    """A file uploaded for a file field of a submission (Anlage).

    The submission's data holds the attachment's value (``as_value``); the file itself lives in
    the storage (local disk or S3-compatible), and this row ties both together. The type is
    the one found in the file's first bytes, never the one its name claims.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments"
    )
    field_path = models.CharField(
        _("field"),
        max_length=200,
        help_text=_("The HTML name of the field it was uploaded for, e.g. dogs.0.photo."),
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    def as_value(self) -> dict[str, Any]:
        """The value a file field stores in the submission's data for this attachment."""
        return {
            "id": str(self.uuid),
            "name": self.original_name,
            "size": self.size,
            "type": self.content_type,
            "sha256": self.sha256,
        }


@receiver(post_delete, sender=Attachment)
def _delete_stored_file(sender: type[Attachment], instance: Attachment, **kwargs: Any) -> None:
    """Remove the file from storage once the row's deletion is committed (also when a deleted
    draft takes its attachments with it). After the commit, because a rolled-back deletion
    must still find its file."""
    if instance.file.name:
        transaction.on_commit(partial(instance.file.storage.delete, instance.file.name))


class ResumeLink(models.Model):
    """An e-mailed link with which an anonymous applicant continues their draft (Fortsetzungslink).

    The secret token is made by the task that sends the mail and exists in plain only in that
    mail; here is its keyed hash. A link works until its draft is submitted or expires. One row
    per request keeps the e-mail hand-off's own state (requested, sent) and limits how often a
    draft may send one; it goes with its draft.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="resume_links"
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, default="de")
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("resume link")
        verbose_name_plural = _("resume links")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.requested_at:%Y-%m-%d %H:%M}"
