"""Decisions (Bescheide): what a decision says, its PDF, and issuing it to the applicant.

A decision is written by a clerk (outcome, reasoning, conditions, fee), previewed as the very
PDF it will become (rendered without storing anything), and issued by ``issue_decision`` in
one transaction: the PDF/A document stored with the case, the case moved to "decided", the
result remembered for closing, the audit event, the mailbox message and the e-mail job.

The PDF is rendered synchronously before the transaction: a decision has one page or two and
renders in well under a second, and the clerk wants to see it at once; rendering outside the
transaction keeps the case's row lock (and SQLite's write lock) short. A second click finds
the decision issued under the lock and returns it; the unique constraint on issued decisions
backs that up.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.cases.actions import TransitionRefused, change_case_status, locked_case
from amtsweg.cases.letters import addressee_lines, letterhead_for
from amtsweg.cases.models import (
    Case,
    CaseStatus,
    Decision,
    DecisionOutcome,
    DecisionState,
    Message,
    MessageDirection,
)
from amtsweg.cases.permissions import require_worker
from amtsweg.cases.tasks import notify_applicant_of_decision
from amtsweg.documents.models import Document, DocumentKind, GenerationState, document_path
from amtsweg.documents.rendering import RenderedPdf, render_pdf_document
from amtsweg.lib.mail import record_sent, render_mail

TEMPLATE = "documents/decision.html"
MAX_TEXT = 20_000
#: The status a decision moves the case to; a solution workflow without it cannot decide.
DECIDED = CaseStatus.DECIDED.value


@dataclass(frozen=True)
class DecisionDraft:
    """The variable parts of a decision as the clerk wrote them (checked by ``checked``)."""

    outcome: str
    reasoning: str
    conditions: str = ""
    fee: Decimal | None = None

    def checked(self, case: Case) -> "DecisionDraft":
        """The draft with text trimmed and the fee defaulted to the offering's; refused with
        ``TransitionRefused`` when the outcome is unknown or the reasoning missing."""
        if self.outcome not in DecisionOutcome.values:
            raise TransitionRefused(_("Choose the outcome of the decision."))
        reasoning, conditions = self.reasoning.strip(), self.conditions.strip()
        if not reasoning:
            raise TransitionRefused(_("A decision needs its reasoning."))
        if len(reasoning) > MAX_TEXT or len(conditions) > MAX_TEXT:
            raise TransitionRefused(_("The text of the decision is too long."))
        fee = self.fee if self.fee is not None else case.submission.offering.fee
        if fee < 0:
            raise TransitionRefused(_("The fee cannot be negative."))
        return DecisionDraft(self.outcome, reasoning, conditions, fee)


def can_decide(case: Case) -> bool:
    """Whether a decision may be issued now: the case is open and already "decided" or its
    workflow leads there from the current status (in the default workflow: "in review")."""
    return case.is_open and (
        case.status == DECIDED or case.workflow.is_allowed(case.status, DECIDED)
    )


def issued_decision(case: Case) -> Decision | None:
    return (
        Decision.objects.filter(case=case, state=DecisionState.ISSUED)
        .select_related("document", "issued_by")
        .first()
    )


def decision_draft(case: Case) -> Decision | None:
    """The clerk's saved, not yet issued decision on ``case``, to fill the form again."""
    return Decision.objects.filter(case=case, state=DecisionState.DRAFT).first()


def save_decision_draft(
    case: Case,
    *,
    actor: AbstractBaseUser,
    outcome: str = "",
    reasoning: str = "",
    conditions: str = "",
    fee: Decimal | None = None,
) -> Decision:
    """Keep the decision the clerk is writing on the case, so that it is there when they (or
    a colleague) come back; one draft per case, replaced on every save and deleted when the
    decision is issued. Unfinished parts are allowed; only an issued decision refuses it."""
    require_worker(actor, case)
    if outcome and outcome not in DecisionOutcome.values:
        raise TransitionRefused(_("Choose the outcome of the decision."))
    reasoning, conditions = reasoning.strip(), conditions.strip()
    if len(reasoning) > MAX_TEXT or len(conditions) > MAX_TEXT:
        raise TransitionRefused(_("The text of the decision is too long."))
    if fee is not None and fee < 0:
        raise TransitionRefused(_("The fee cannot be negative."))
    with transaction.atomic():
        locked = locked_case(case)
        if not locked.is_open:
            raise TransitionRefused(
                _("This case is finished (closed or withdrawn); no decision can be written.")
            )
        if Decision.objects.filter(case=locked, state=DecisionState.ISSUED).exists():
            raise TransitionRefused(_("A decision on this case has already been issued."))
        draft, _created = Decision.objects.update_or_create(
            case=locked,
            state=DecisionState.DRAFT,
            defaults={
                "outcome": outcome,
                "reasoning": reasoning,
                "conditions": conditions,
                "fee": fee if fee is not None else locked.submission.offering.fee,
            },
        )
        record_event(
            "case.decision_draft_saved",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={"decision": str(draft.uuid)},
        )
    return draft


def decision_context(case: Case, draft: DecisionDraft, issued_at: datetime) -> dict[str, Any]:
    """The template context. The letterhead and the notice of legal remedies are the
    responsible authority's (the offering municipality); under an IKZ agreement the processing
    municipality is named as acting on its behalf (``cases.letters``). The address window
    holds the applicant's postal address from the form."""
    submission = case.submission
    letterhead = letterhead_for(case)
    return {
        "case": case,
        "submission": submission,
        "offering": submission.offering,
        "authority": letterhead.authority,
        "processed_by": letterhead.processed_by,
        "return_address": letterhead.return_address,
        "addressee": addressee_lines(submission),
        "reference_number": submission.reference_number,
        "issued_at": issued_at,
        "outcome": draft.outcome,
        "reasoning": draft.reasoning,
        "conditions": draft.conditions,
        "fee": draft.fee,
    }


def render_decision(
    case: Case, draft: DecisionDraft, *, issued_at: datetime, preview: bool = False
) -> RenderedPdf:
    """The decision PDF (PDF/A-3b) in the submission's language; ``preview`` marks it as a
    draft, so a downloaded preview can never pass for the decision."""
    language = case.submission.language or "de"
    context = decision_context(case, draft, issued_at)
    context["preview"] = preview
    return render_pdf_document(TEMPLATE, context, language=language)


def _mailbox_subject(case: Case) -> tuple[str, str]:
    with translation.override(case.submission.language or "de"):
        return (
            _("Decision on your application %(reference)s")
            % {"reference": case.submission.reference_number},
            _(
                "The decision on your application is attached as a PDF document. "
                "Please read the notice of legal remedies at its end."
            ),
        )


def issue_decision(
    case: Case,
    *,
    actor: AbstractBaseUser,
    outcome: str,
    reasoning: str,
    conditions: str = "",
    fee: Decimal | None = None,
) -> Decision:
    """Issue the decision on ``case`` and deliver it to the applicant.

    Refused (``TransitionRefused``) unless the case may be decided (``can_decide``); read-only
    staff get ``PermissionDenied``. Issuing twice returns the decision issued first.
    """
    require_worker(actor, case)
    draft = DecisionDraft(outcome, reasoning, conditions, fee).checked(case)
    if (existing := issued_decision(case)) is not None:
        return existing
    if not can_decide(case):
        raise TransitionRefused(
            _("A case in status “%(current)s” cannot be decided.") % {"current": case.status_label}
        )
    issued_at = timezone.now()
    rendered = render_decision(case, draft, issued_at=issued_at)
    saved = ""
    try:
        with transaction.atomic():
            locked = locked_case(case)
            existing = Decision.objects.filter(case=locked, state=DecisionState.ISSUED).first()
            if existing is not None:
                return existing  # the first click won; nothing was stored by this one
            if not can_decide(locked):
                raise TransitionRefused(_("This case cannot be decided any more."))
            submission = locked.submission
            document = Document(
                kind=DocumentKind.DECISION,
                submission=submission,
                case=locked,
                language=submission.language or "de",
            )
            storage = document.file.storage
            saved = storage.save(document_path(document, ""), ContentFile(rendered.content))
            document.file.name = saved
            document.sha256 = hashlib.sha256(rendered.content).hexdigest()
            document.size = len(rendered.content)
            document.page_count = rendered.page_count
            document.state = GenerationState.DONE
            document.generated_at = issued_at
            document.save()
            decision = Decision.objects.create(
                case=locked,
                outcome=draft.outcome,
                reasoning=draft.reasoning,
                conditions=draft.conditions,
                fee=draft.fee,
                state=DecisionState.ISSUED,
                issued_at=issued_at,
                issued_by=actor,
                document=document,
            )
            # The draft has become this decision: it is not offered again.
            Decision.objects.filter(case=locked, state=DecisionState.DRAFT).delete()
            if locked.status != DECIDED:
                locked = change_case_status(
                    locked, DECIDED, actor=actor, comment=_("Decision issued.")
                )
            # Remembered for closing later: closing asks for a result, this is the default.
            locked.result = draft.outcome
            locked.save(update_fields=["result", "updated_at"])
            message = None
            if submission.citizen_id is not None:
                subject, body = _mailbox_subject(locked)
                message = Message.objects.create(
                    case=locked,
                    direction=MessageDirection.TO_APPLICANT,
                    subject=subject,
                    body=body,
                    sender=actor,
                    document=document,
                )
            record_event(
                "case.decision_issued",
                locked,
                actor=actor,
                chain=locked.municipality.ags,
                data={
                    "decision": str(decision.uuid),
                    "outcome": draft.outcome,
                    "fee": str(draft.fee),
                    "document": str(document.uuid),
                    "sha256": document.sha256,
                    "message": str(message.uuid) if message else None,
                },
            )
            notify_applicant_of_decision.enqueue(decision.pk)
    except BaseException:
        if saved:
            Document.file.field.storage.delete(saved)
        raise
    return decision


def _applicant_url(case: Case) -> str:
    """Mein Amtsweg's mailbox for BundID users; the status page (reference number and access
    code) for everyone else."""
    submission = case.submission
    if submission.citizen_id is not None:
        return settings.BASE_URL + reverse("citizen:mailbox", args=[submission.uuid])
    return settings.BASE_URL + reverse("submissions:status")


def notify_applicant(decision_id: int) -> str:
    """E-mail the applicant that a decision is waiting: reference number and a link only,
    never the outcome (e-mail is no channel for it). Recorded once sent, so a retry sends
    nothing twice; no transaction is open while it is sent (``lib.mail``)."""
    decision = (
        Decision.objects.select_related("case__submission", "case__municipality")
        .filter(pk=decision_id, state=DecisionState.ISSUED)
        .first()
    )
    if decision is None:
        return "no such decision"
    if decision.applicant_notified_at:
        return "already sent"
    case = decision.case
    submission = case.submission
    result = "no e-mail address given"
    if submission.applicant_email:
        context = {
            "reference_number": submission.reference_number,
            "municipality": case.municipality,
            "url": _applicant_url(case),
            "has_mailbox": submission.citizen_id is not None,
        }
        subject, body = render_mail(
            "cases/email/new_decision", context, submission.language or "de"
        )
        send_mail(subject, body, None, [submission.applicant_email])
        result = "sent"
    now = timezone.now()
    with transaction.atomic():
        record_sent(decision, "applicant_notified_at", now)
        if decision.document_id is not None:
            Message.objects.filter(
                case=case, document_id=decision.document_id, applicant_notified_at__isnull=True
            ).update(applicant_notified_at=now)
    return result
