"""Every change to a case, one transactional function each: permission check, change, status
history, audit event. The acting user is a keyword-only argument; read-only staff are refused
by ``require_worker`` in each of them."""

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.cases import deadlines
from amtsweg.cases.models import (
    Case,
    CaseResult,
    DeadlineExtension,
    DecisionState,
    StatusEntry,
)
from amtsweg.cases.permissions import (
    can_work_on,
    holds_transition_role,
    is_admin_of,
    require_worker,
)
from amtsweg.cases.retention import deletion_date
from amtsweg.cases.workflow import CLOSED, WAITING, WITHDRAWN
from amtsweg.lib.rows import insert_row
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import share_a_cluster


class TransitionRefused(Exception):
    """The requested change is not allowed; the message says why, in the user's language."""


def open_case_for(submission: Submission, search_text: str) -> Case:
    """Create the case of a just-submitted application in its processing municipality's inbox,
    with its deadline and its ``search_text`` (``search_text_for``, which the submit works out
    before its transaction: on SQLite every other writer waits while one is open).

    Called inside ``submit_application``'s transaction, so a submission never exists without
    its case.
    """
    version = submission.solution_version
    received = submission.submitted_at or timezone.now()
    case = Case(
        submission=submission,
        offering_id=submission.offering_id,
        municipality=submission.processing_municipality,
        deadline=deadlines.initial_deadline(received, version.processing_days),
        search_text=search_text,
    )
    case.status = case.workflow.initial
    insert_row(case)  # precompiled, like the submit's other rows (issue 9)
    insert_row(StatusEntry(case=case, status=case.status))
    return case


def locked_case(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("municipality", "assignee", "submission__solution_version")
        .get(pk=case.pk)
    )


def _username(user: AbstractBaseUser | None) -> str:
    return user.get_username() if user else ""


def claim_case(case: Case, *, actor: AbstractBaseUser) -> Case:
    """Make the acting clerk the case's assignee."""
    require_worker(actor, case)
    with transaction.atomic():
        locked = locked_case(case)
        if locked.assignee_id == actor.pk:
            return locked
        previous = _username(locked.assignee)
        locked.assignee = actor
        locked.save(update_fields=["assignee", "updated_at"])
        record_event(
            "case.claimed",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={"previous_assignee": previous},
        )
    return locked


def assign_case(case: Case, assignee: AbstractBaseUser | None, *, actor: AbstractBaseUser) -> Case:
    """Assign the case to a named clerk of its municipality, or to nobody (``None``).

    Only the municipality's admin or the current assignee may; anyone else claims instead.
    """
    require_worker(actor, case)
    with transaction.atomic():
        locked = locked_case(case)
        if not (is_admin_of(actor, locked) or locked.assignee_id == actor.pk):
            raise PermissionDenied(
                _("Only an administrator or the current assignee may assign this case.")
            )
        if assignee is not None and not can_work_on(assignee, locked):
            raise TransitionRefused(
                _("%(name)s does not work on cases of %(municipality)s.")
                % {"name": assignee.get_username(), "municipality": locked.municipality}
            )
        if locked.assignee_id == (assignee.pk if assignee else None):
            return locked
        previous = _username(locked.assignee)
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        record_event(
            "case.assigned" if assignee else "case.unassigned",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={"previous_assignee": previous, "assignee": _username(assignee)},
        )
    return locked


def handover_targets(case: Case) -> list[Municipality]:
    """Where this case may go: the offering's own municipality, or back to the one that
    processes the offering, when the two share a cluster (IKZ)."""
    offering = case.submission.offering
    candidates = {offering.municipality_id: offering.municipality}
    candidates[offering.processing_municipality_id] = offering.processing_municipality
    candidates.pop(case.municipality_id, None)
    return [m for m in candidates.values() if share_a_cluster(case.municipality, m)]


def hand_over_case(case: Case, target: Municipality, *, actor: AbstractBaseUser) -> Case:
    """Move an open case to another municipality's inbox (see ``handover_targets``).

    The assignee is cleared (they cannot work there); the event is recorded on both
    municipalities' chains, so each audit trail shows where its cases went or came from.
    """
    require_worker(actor, case)
    with transaction.atomic():
        locked = locked_case(case)
        if not locked.is_open:
            raise TransitionRefused(_("A finished case cannot be handed over."))
        if target.pk not in {m.pk for m in handover_targets(locked)}:
            raise TransitionRefused(
                _("This case cannot be handed over to %(municipality)s.")
                % {"municipality": target}
            )
        source = locked.municipality
        previous = _username(locked.assignee)
        locked.municipality = target
        locked.assignee = None
        locked.handed_over = True
        locked.save(update_fields=["municipality", "assignee", "handed_over", "updated_at"])
        data = {"from": source.ags, "to": target.ags, "previous_assignee": previous}
        for chain in (source.ags, target.ags):
            record_event("case.handed_over", locked, actor=actor, chain=chain, data=data)
    return locked


def enter_status(
    case: Case, target: str, now: datetime, result: str, entry: dict[str, Any]
) -> dict[str, Any]:
    """Apply what entering ``target`` means (clock, result, retention); return audit data."""
    workflow = case.workflow
    previous = case.status
    data: dict[str, Any] = {"from": previous, "to": target}
    if workflow.statuses[previous].kind == WAITING and workflow.statuses[target].kind != WAITING:
        data["clock_resumed_after_days"] = deadlines.restart_clock(case, now)
        data["deadline"] = case.deadline.isoformat() if case.deadline else None
    if workflow.statuses[target].kind == WAITING:
        deadlines.stop_clock(case, now)
        data["clock_stopped"] = True
    if workflow.statuses[target].is_final:
        case.result = result
        case.closed_at = now
        case.delete_personal_data_after = deletion_date(
            case.submission.solution_version, result, now
        )
        data["result"] = result
        data["delete_personal_data_after"] = case.delete_personal_data_after.isoformat()
    case.status = target
    case.save()
    StatusEntry.objects.create(case=case, status=target, **entry)
    return data


def change_case_status(
    case: Case,
    target: str,
    *,
    actor: AbstractBaseUser,
    comment: str = "",
    result: str = "",
) -> Case:
    """Move the case along its workflow, recording the status history and the audit event.

    Refused with ``TransitionRefused`` when the workflow does not lead from the current
    status to ``target``, when the transition needs a role the actor lacks, or when a
    closing status is entered without a result.
    """
    require_worker(actor, case)
    with transaction.atomic():
        locked = locked_case(case)
        workflow = locked.workflow
        if not workflow.is_allowed(locked.status, target):
            raise TransitionRefused(
                _("A case in status “%(current)s” cannot be moved to “%(target)s”.")
                % {"current": workflow.label(locked.status), "target": workflow.label(target)}
            )
        role = workflow.required_role(locked.status, target)
        if not holds_transition_role(actor, locked, role):
            raise TransitionRefused(
                _("Only staff with the role “%(role)s” may move a case to “%(target)s”.")
                % {"role": role, "target": workflow.label(target)}
            )
        closing = workflow.statuses[target].kind == CLOSED
        if closing and result not in CaseResult.values:
            raise TransitionRefused(_("Closing a case requires a result."))
        data = enter_status(
            locked,
            target,
            timezone.now(),
            result if closing else "",
            {"comment": comment, "actor": actor},
        )
        data["with_comment"] = bool(comment)
        record_event(
            "case.status_changed", locked, actor=actor, chain=locked.municipality.ags, data=data
        )
    return locked


def can_withdraw(case: Case) -> bool:
    """An application can be withdrawn while its case is open and no decision has been issued:
    once the Bescheid is out, the applicant's remedy is the objection it names, not a
    withdrawal that would close the case as if nothing had been decided."""
    return case.is_open and not case.decisions.filter(state=DecisionState.ISSUED).exists()


def withdraw_case(
    case: Case, *, by_applicant: bool = True, actor: AbstractBaseUser | None = None
) -> Case:
    """Withdraw an open case (zurückgezogen), from any open status of its workflow.

    The citizen area calls it for the applicant (``by_applicant=True``, no staff actor); a
    clerk recording a withdrawal received by letter passes ``by_applicant=False`` and
    themselves as ``actor``. The result is "withdrawn", which starts its retention period.
    """
    if not by_applicant:
        if actor is None:
            raise PermissionDenied(_("A withdrawal by staff needs the acting user."))
        require_worker(actor, case)
    with transaction.atomic():
        locked = locked_case(case)
        if not locked.is_open:
            raise TransitionRefused(_("This case is finished and cannot be withdrawn."))
        if not can_withdraw(locked):
            raise TransitionRefused(
                _(
                    "A decision on this application has been issued, so it can no longer be "
                    "withdrawn. The decision says how to object to it."
                )
            )
        target = locked.workflow.withdrawn_key
        data = enter_status(
            locked,
            target,
            timezone.now(),
            CaseResult.WITHDRAWN,
            {"actor": None if by_applicant else actor},
        )
        data["by_applicant"] = by_applicant
        assert locked.workflow.statuses[target].kind == WITHDRAWN
        record_event(
            "case.withdrawn",
            locked,
            actor=None if by_applicant else actor,
            actor_label="applicant" if by_applicant else "",
            chain=locked.municipality.ags,
            data=data,
        )
    return locked


def extend_deadline(
    case: Case, new_deadline: date, *, reason: str, actor: AbstractBaseUser
) -> Case:
    """Move an open case's deadline later, with a reason (kept until retention ends)."""
    require_worker(actor, case)
    reason = reason.strip()
    if not reason:
        raise TransitionRefused(_("Give a reason for the extension."))
    with transaction.atomic():
        locked = locked_case(case)
        if not locked.is_open:
            raise TransitionRefused(_("The deadline of a finished case cannot change."))
        if locked.deadline is not None and new_deadline <= locked.deadline:
            raise TransitionRefused(_("The new deadline must be later than the current one."))
        extension = DeadlineExtension.objects.create(
            case=locked,
            previous_deadline=locked.deadline,
            new_deadline=new_deadline,
            reason=reason,
            actor=actor,
        )
        previous = locked.deadline
        locked.deadline = new_deadline
        locked.save(update_fields=["deadline", "updated_at"])
        record_event(
            "case.deadline_extended",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={
                "from": previous.isoformat() if previous else None,
                "to": new_deadline.isoformat(),
                "extension": extension.pk,
            },
        )
    return locked
