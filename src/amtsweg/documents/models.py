"""Document: a generated PDF (receipt, decision) with the state of its generation.

The row exists before the file does: it is written in the same transaction as the change that
asks for the document (a submit asks for its receipt), so the request cannot be lost, and it
keeps the generation's own state (pending, done, failed, attempts, last error). A retried job
finds the row and does nothing once the file is there; a report lists what is still missing.
"""

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.cases.models import Case
from amtsweg.submissions.models import Submission


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    DECISION = "decision", _("decision")


class GenerationState(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class DocumentQuerySet(models.QuerySet["Document"]):
    def missing(self) -> "DocumentQuerySet":
        """Documents asked for whose file does not exist yet (pending or failed)."""
        return self.exclude(state=GenerationState.DONE)

    def done(self) -> "DocumentQuerySet":
        return self.filter(state=GenerationState.DONE)


def document_path(document: "Document", filename: str) -> str:
    """Where a document is stored: its UUID only, never a name someone typed."""
    return f"documents/{document.uuid}.pdf"


class Document(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    language = models.CharField(_("language"), max_length=8, default="de")
    file = models.FileField(_("file"), upload_to=document_path, max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=GenerationState.choices,
        default=GenerationState.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One receipt per submission, whatever number of jobs or workers try to make it.
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(kind="receipt"),
                name="one_receipt_per_submission",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done")
                | (
                    ~models.Q(file="")
                    & ~models.Q(sha256="")
                    & models.Q(size__isnull=False)
                    & models.Q(page_count__isnull=False)
                ),
                name="done_document_has_file_facts",
            ),
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.submission_id} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == GenerationState.DONE and bool(self.file.name)

    def download_name(self) -> str:
        """The file name a download is saved under: kind and reference number only."""
        stem = {
            DocumentKind.RECEIPT: "Eingangsbestaetigung",
            DocumentKind.DECISION: "Bescheid",
        }.get(DocumentKind(self.kind), "Dokument")
        reference: Any = self.submission.reference_number or self.uuid
        return f"{stem}-{reference}.pdf"
