"""How long a closed case's personal data is kept, and deleting it when that time is up.

The solution version decides: ``retention_days_by_result`` (``{"rejected": 365, …}``) for the
case's result, otherwise its ``retention_days``, counted from the moment the case closed.
Deleting keeps the case, its reference number, statuses and audit trail (the record that the
procedure happened), and removes what identifies or describes the applicant.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.cases.models import (
    Case,
    CaseResult,
    DeadlineExtension,
    Decision,
    Message,
    StatusEntry,
)
from amtsweg.catalog.models import SolutionVersion
from amtsweg.documents.services import delete_documents_of


def check_retention_by_result(data: Any) -> str:
    """An error message for a bad ``retention_days_by_result``, or "" when it is usable."""
    if not isinstance(data, dict):
        return _("Give an object of result → days.")
    for result, days in data.items():
        if result not in CaseResult.values:
            return _("“%(result)s” is not a case result.") % {"result": result}
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            return _("Days must be a whole number of 0 or more.")
    return ""


def retention_days(version: SolutionVersion, result: str) -> int:
    by_result = version.retention_days_by_result or {}
    days = by_result.get(result)
    return days if isinstance(days, int) and days >= 0 else version.retention_days


def deletion_date(version: SolutionVersion, result: str, closed_at: datetime) -> datetime:
    return closed_at + timedelta(days=retention_days(version, result))


def expired_cases(now: datetime) -> "Any":
    return Case.objects.filter(
        closed_at__isnull=False,
        delete_personal_data_after__lte=now,
        personal_data_deleted_at__isnull=True,
    )


def delete_personal_data(case_id: int, now: datetime) -> dict[str, Any] | None:
    """Delete one expired case's personal data; the audit event holds counts only.

    Runs in its own transaction with the case row locked (skipped when another transaction
    holds it, or when it was done meanwhile), so a failing case does not undo the others.
    """
    with transaction.atomic():
        case = (
            expired_cases(now)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("submission", "municipality")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            return None
        submission = case.submission
        reference = submission.reference_number or ""
        answers = len(submission.data or {})
        submission.data = {}
        submission.applicant_name = ""
        submission.applicant_email = ""
        submission.on_behalf_of_name = ""
        submission.on_behalf_of_id = ""
        submission.citizen = None
        submission.save(
            update_fields=[
                "data",
                "applicant_name",
                "applicant_email",
                "on_behalf_of_name",
                "on_behalf_of_id",
                "citizen",
                "updated_at",
            ]
        )
        # One delete per attachment row: the post_delete signal removes the stored file
        # through its storage once this transaction commits.
        attachments = 0
        for attachment in submission.attachments.all():
            attachment.delete()
            attachments += 1
        documents = delete_documents_of(submission)
        # Messages with their files (the post_delete signal removes those after commit).
        messages, _deleted = Message.objects.filter(case=case).delete()
        comments = StatusEntry.objects.filter(case=case).exclude(comment="").update(comment="")
        reasons = DeadlineExtension.objects.filter(case=case).exclude(reason="").update(reason="")
        # A decision's reasoning and conditions speak of the applicant; outcome, fee and date
        # stay as the record of what was decided (its PDF went with the documents above).
        decision_texts = Decision.objects.filter(case=case).update(reasoning="", conditions="")
        # A paper step's note is the clerk's free text ("Frau M. brought her passport"); the
        # step stays, so the dashboard still counts the case as not paper-free.
        paper_notes = case.paper_steps.exclude(note="").update(note="")
        case.search_text = reference.casefold()
        case.personal_data_deleted_at = now
        case.save(update_fields=["search_text", "personal_data_deleted_at", "updated_at"])
        summary = {
            "reference_number": reference,
            "answers": answers,
            "attachments": attachments,
            "status_comments": comments,
            "extension_reasons": reasons,
            "decision_texts": decision_texts,
            "paper_step_notes": paper_notes,
            "messages_and_files": messages,
            "documents": documents,
            "applicant_identity": True,
        }
        record_event(
            "case.personal_data_deleted",
            case,
            actor_label="scheduler",
            chain=case.municipality.ags,
            data=summary,
        )
    return summary
