"""The cases app's public door: opening cases, the scoped accessors, and the clerk's actions."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.cases import workflow
from amtsweg.cases.models import Case, CaseStatus, StatusEntry
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import (
    CASE_VIEWING_ROLES,
    CASE_WORKING_ROLES,
    User,
    has_role,
    municipalities_for,
)


class TransitionRefused(Exception):
    """The requested change is not allowed; the message says why, in the user's language."""


def open_case_for(submission: Submission) -> Case:
    """Create the case of a just-submitted application in its processing municipality's inbox.

    Called inside ``submit_application``'s transaction, so a submission never exists without
    its case.
    """
    case = Case.objects.create(
        submission=submission, municipality=submission.processing_municipality
    )
    StatusEntry.objects.create(case=case, status=case.status)
    return case


def cases_for(user: User) -> QuerySet[Case]:
    """Every case the user may see: those of municipalities where they hold a viewing role."""
    return Case.objects.filter(municipality__in=municipalities_for(user, CASE_VIEWING_ROLES))


def get_case_for_user(user: User, case_uuid: str) -> Case:
    """The case with this UUID if the user may see it; 404 otherwise (never 403, so that the
    existence of another municipality's case is not revealed)."""
    try:
        return (
            cases_for(user)
            .select_related(
                "municipality",
                "assignee",
                "submission__offering__municipality",
                "submission__solution_version__solution__service",
            )
            .get(uuid=case_uuid)
        )
    except (Case.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such case.")) from None


def get_inbox_municipality(user: User, slug: str) -> Municipality:
    """The municipality whose inbox the user opens, if they hold a viewing role there."""
    try:
        return municipalities_for(user, CASE_VIEWING_ROLES).get(slug=slug)
    except Municipality.DoesNotExist:
        raise Http404(_("No such inbox.")) from None


def inbox(municipality: Municipality, status: str = "") -> QuerySet[Case]:
    """The municipality's cases, newest first, with what the inbox list shows preloaded."""
    cases = (
        Case.objects.filter(municipality=municipality)
        .select_related("assignee", "submission__offering")
        .order_by("-created_at", "-pk")
    )
    if status:
        cases = cases.filter(status=status)
    return cases


def status_counts(municipality: Municipality) -> dict[str, int]:
    """Number of the municipality's cases in each status (every status listed, zero included)."""
    counted = dict(
        Case.objects.filter(municipality=municipality)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {status: counted.get(status, 0) for status in CaseStatus.values}


def can_work_on(user: User, case: Case) -> bool:
    """Whether the user may change the case (clerks and admins of its municipality)."""
    return has_role(user, case.municipality, CASE_WORKING_ROLES)


def _require_worker(user: AbstractBaseUser, case: Case) -> None:
    if not can_work_on(user, case):
        raise PermissionDenied(_("You may view this case but not change it."))


def claim_case(case: Case, *, actor: AbstractBaseUser) -> Case:
    """Make the acting clerk the case's assignee."""
    _require_worker(actor, case)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.assignee_id == actor.pk:
            return locked
        previous = locked.assignee.get_username() if locked.assignee else ""
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


def change_case_status(
    case: Case, target: str, *, actor: AbstractBaseUser, comment: str = ""
) -> Case:
    """Move the case along the workflow, recording the status history and the audit event."""
    _require_worker(actor, case)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not workflow.is_allowed(locked.status, target):
            raise TransitionRefused(
                _("A case in status “%(current)s” cannot be moved to “%(target)s”.")
                % {
                    "current": CaseStatus(locked.status).label,
                    "target": CaseStatus(target).label if target in CaseStatus.values else target,
                }
            )
        previous = locked.status
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        StatusEntry.objects.create(case=locked, status=target, comment=comment, actor=actor)
        record_event(
            "case.status_changed",
            locked,
            actor=actor,
            chain=locked.municipality.ags,
            data={"from": previous, "to": target, "with_comment": bool(comment)},
        )
    return locked


def public_status_history(submission: Submission) -> QuerySet[StatusEntry]:
    """The statuses an applicant sees on their status page (without internal comments)."""
    return StatusEntry.objects.filter(case__submission=submission).only("status", "created_at")
