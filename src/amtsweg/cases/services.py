"""The cases app's public door: opening cases, the scoped accessors, the clerk's actions
(``cases.actions``), the inbox (``cases.inbox``) and the workflow and retention checks."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from amtsweg.cases.actions import (
    TransitionRefused,
    assign_case,
    change_case_status,
    claim_case,
    extend_deadline,
    hand_over_case,
    handover_targets,
    open_case_for,
    withdraw_case,
)
from amtsweg.cases.inbox import InboxFilter, inbox, status_counts
from amtsweg.cases.models import Case, StatusEntry
from amtsweg.cases.permissions import CaseAccess, access_to, can_work_on, is_admin_of
from amtsweg.cases.retention import check_retention_by_result
from amtsweg.cases.search import (
    add_reference_to_search_text,
    refresh_search_text,
    search_text_for,
)
from amtsweg.cases.workflow import WorkflowError, parse_workflow
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import CASE_VIEWING_ROLES, User, has_role, municipalities_for

__all__ = [
    "CaseAccess",
    "InboxFilter",
    "TransitionRefused",
    "access_to",
    "add_reference_to_search_text",
    "assign_case",
    "can_work_on",
    "cases_for",
    "change_case_status",
    "check_retention_by_result",
    "check_workflow",
    "claim_case",
    "extend_deadline",
    "get_case_for_user",
    "get_inbox_municipality",
    "hand_over_case",
    "handover_targets",
    "inbox",
    "is_admin_of",
    "is_processing_staff",
    "open_case_for",
    "processed_elsewhere",
    "public_status_history",
    "refresh_search_text",
    "search_text_for",
    "status_counts",
    "withdraw_case",
]


def check_workflow(definition: Any) -> str:
    """An error message for a workflow definition the engine cannot run, or ""."""
    try:
        parse_workflow(definition)
    except WorkflowError as error:
        return str(error)
    return ""


def cases_for(user: User) -> QuerySet[Case]:
    """Every case the user may see: those of municipalities where they hold a viewing role,
    and under IKZ the cases another municipality processes for theirs (the offering's
    municipality stays the responsible authority, see ``cases.letters``). Changing a case
    needs a working role in the processing municipality (``can_work_on``), so the offering's
    staff only look."""
    mine = municipalities_for(user, CASE_VIEWING_ROLES)
    return Case.objects.filter(Q(municipality__in=mine) | Q(offering__municipality__in=mine))


def processed_elsewhere(municipality: Municipality) -> QuerySet[Case]:
    """Cases of ``municipality``'s offerings that another municipality processes (IKZ),
    newest first, with what the read-only list shows preloaded. Call it with a municipality
    from ``get_inbox_municipality`` (the caller's scope)."""
    return (
        Case.objects.filter(offering__municipality=municipality)
        .exclude(municipality=municipality)
        .select_related("municipality", "submission__offering", "submission__solution_version")
        .defer("search_text", "submission__data", "submission__solution_version__form_definition")
        .order_by("-created_at", "-pk")
    )


def is_processing_staff(user: User, case: Case) -> bool:
    """Whether the user holds a role in the municipality that processes the case (and so may
    open the applicant's files), not only in the one that offers the service."""
    return has_role(user, case.municipality, CASE_VIEWING_ROLES)


def get_case_for_user(user: User, case_uuid: str) -> Case:
    """The case with this UUID if the user may see it; 404 otherwise (never 403, so that the
    existence of another municipality's case is not revealed)."""
    try:
        case = (
            cases_for(user)
            .select_related(
                "municipality",
                "assignee",
                "offering__municipality",
                "offering__processing_municipality",
                "submission__solution_version__solution__service",
            )
            .get(uuid=case_uuid)
        )
    except (Case.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such case.")) from None
    # The case's offering is its submission's (copied when the case is opened, never
    # changed): joined once through the case, not a second time through the submission.
    case.submission.offering = case.offering
    return case


def get_inbox_municipality(user: User, slug: str) -> Municipality:
    """The municipality whose inbox the user opens, if they hold a viewing role there."""
    try:
        return municipalities_for(user, CASE_VIEWING_ROLES).get(slug=slug)
    except Municipality.DoesNotExist:
        raise Http404(_("No such inbox.")) from None


def public_status_history(submission: Submission) -> QuerySet[StatusEntry]:
    """The statuses an applicant sees on their status page (without internal comments)."""
    return (
        StatusEntry.objects.filter(case__submission=submission)
        .select_related("case__submission__solution_version")
        .defer("comment", "case__search_text", "case__submission__data")
    )
