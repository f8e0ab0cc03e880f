"""The inbox query: one municipality's cases, filtered, searched, sorted and counted.

The filters arrive as the cleaned data of ``InboxFilterForm``; everything is done in the
database (no per-case queries: the list preloads what it shows), so the page needs the same
number of queries for 3 cases as for 30 000.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from amtsweg.cases.deadlines import DUE_SOON_DAYS
from amtsweg.cases.models import Case
from amtsweg.cases.search import search_cases
from amtsweg.cases.workflow import DEFAULT, workflow_of
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import CASE_WORKING_ROLES

MINE, UNASSIGNED = "mine", "none"
OVERDUE, DUE_SOON = "overdue", "due_soon"
SORTS: dict[str, tuple[Any, ...]] = {
    "-received": ("-created_at", "-pk"),
    "received": ("created_at", "pk"),
    "deadline": (F("deadline").asc(nulls_last=True), "pk"),
    "status": ("status", "-created_at", "-pk"),
    "reference": ("submission__reference_number", "pk"),
}


@dataclass(frozen=True)
class InboxFilter:
    offering: str = ""
    status: str = ""
    assignee: str = ""
    deadline: str = ""
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""
    sort: str = "-received"

    @classmethod
    def from_cleaned(cls, data: dict[str, Any]) -> "InboxFilter":
        """Built from a form's cleaned data; invalid fields are missing there and stay unset."""
        fields = cls.__dataclass_fields__
        return cls(**{name: data[name] for name in fields if data.get(name) not in (None, "")})


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(
    municipality: Municipality,
    chosen: InboxFilter,
    user: AbstractBaseUser | None,
    *,
    with_status: bool = True,
) -> QuerySet[Case]:
    cases = Case.objects.filter(municipality=municipality)
    if chosen.offering:
        cases = cases.filter(submission__offering__uuid=chosen.offering)
    if chosen.assignee == MINE:
        cases = cases.filter(assignee=user) if user else cases.none()
    elif chosen.assignee == UNASSIGNED:
        cases = cases.filter(assignee__isnull=True)
    elif chosen.assignee:
        cases = cases.filter(assignee__username=chosen.assignee)
    today = timezone.localdate()
    if chosen.deadline == OVERDUE:
        cases = cases.overdue(today)
    elif chosen.deadline == DUE_SOON:
        cases = cases.due_by(today, today + timedelta(days=DUE_SOON_DAYS))
    if chosen.received_from:
        cases = cases.filter(created_at__gte=_start_of(chosen.received_from))
    if chosen.received_to:
        cases = cases.filter(created_at__lt=_start_of(chosen.received_to + timedelta(days=1)))
    if chosen.q:
        cases = search_cases(cases, chosen.q)
    if with_status and chosen.status:
        cases = cases.filter(status=chosen.status)
    return cases


def inbox(
    municipality: Municipality,
    chosen: InboxFilter | None = None,
    user: AbstractBaseUser | None = None,
    *,
    status: str = "",
) -> QuerySet[Case]:
    """The page's cases, sorted, with what the list shows preloaded (and nothing more).
    ``status`` alone is the short form of ``InboxFilter(status=…)``."""
    chosen = chosen or InboxFilter(status=status)
    return (
        filtered(municipality, chosen, user)
        .select_related(
            "assignee",
            "submission__offering",
            "submission__solution_version",
        )
        .defer(
            "search_text",
            "submission__data",
            "submission__completed_steps",
            "submission__solution_version__form_definition",
        )
        .order_by(*SORTS.get(chosen.sort, SORTS["-received"]))
    )


def status_counts(
    municipality: Municipality,
    chosen: InboxFilter | None = None,
    user: AbstractBaseUser | None = None,
) -> dict[str, int]:
    """Cases per status for the current filter without its status part; every status of the
    default workflow is listed (zero included), other workflows' statuses where they occur."""
    counted = dict(
        filtered(municipality, chosen or InboxFilter(), user, with_status=False)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {**dict.fromkeys(DEFAULT.statuses, 0), **counted}


def offerings_in(municipality: Municipality) -> QuerySet[Offering]:
    """The offerings whose cases this inbox may hold: processed here, or handed over here.

    Only the handed-over cases are read (``Case.handed_over``, a partial index): reading every
    case of the inbox took a second at 170,000 cases (docs/benchmarks.md, back office).
    """
    handed_here = Case.objects.filter(municipality=municipality, handed_over=True).values(
        "submission__offering_id"
    )
    return Offering.objects.filter(
        Q(processing_municipality=municipality) | Q(pk__in=handed_here)
    ).order_by("title", "pk")


def statuses_in(municipality: Municipality) -> list[tuple[str, str]]:
    """(key, label) of every status of the workflows used by this inbox's cases, the
    default workflow's first."""
    found = dict((key, DEFAULT.label(key)) for key in DEFAULT.statuses)
    # From the few versions with a workflow of their own, those with a case here: a join from
    # the cases' side read every case of the inbox (docs/benchmarks.md, back office).
    in_this_inbox = Case.objects.filter(
        municipality=municipality, submission__solution_version=OuterRef("pk")
    )
    workflows = SolutionVersion.objects.filter(
        Exists(in_this_inbox), workflow__isnull=False
    ).values_list("workflow", flat=True)
    for definition in workflows:
        for key, status in workflow_of(definition).statuses.items():
            found.setdefault(key, status.label)
    return list(found.items())


def clerks_of(municipality: Municipality) -> QuerySet:
    """Staff who may be assigned this municipality's cases."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__municipality=municipality,
            memberships__role__in=CASE_WORKING_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
