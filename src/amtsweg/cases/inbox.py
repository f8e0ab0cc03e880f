"""The inbox query: one municipality's cases, filtered, searched, sorted and counted.

The filters arrive as the cleaned data of ``InboxFilterForm``; everything is done in the
database (no per-case queries: the list preloads what it shows), so the page needs the same
number of queries for 3 cases as for 30 000.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from amtsweg.cases.deadlines import DUE_SOON_DAYS
from amtsweg.cases.models import Case
from amtsweg.cases.search import search_cases
from amtsweg.cases.workflow import DEFAULT, workflow_of
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import CASE_WORKING_ROLES

MINE, UNASSIGNED = "mine", "none"
# The counts of the final statuses cover the cases finished in this many days (ADR 0007).
FINAL_COUNT_DAYS = 30
# Beyond any inbox's last page, and small enough that its OFFSET fits every database.
MAX_PAGE = 10**9
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


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox, found without counting the list: the one row fetched beyond
    the page tells whether there is a next one. The counts per status no longer hold the
    list's length (ADR 0007), and a COUNT(*) over the inbox cost as much as the page."""

    object_list: list[Case]
    number: int
    has_next: bool

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


class StatusCounts(dict[str, int]):
    """Cases per status (``status_counts``) and, in ``open``, the open cases among them: a
    status key may be final in one workflow and open in another, so the keys cannot tell."""

    open: int = 0


def _page_number(number: str | None) -> int:
    """1 for anything that is not a positive whole number; past the last page the list is
    empty, and the number is capped so that the OFFSET stays a database integer."""
    try:
        wanted = max(1, int(number or 1))
    except ValueError:
        wanted = 1
    return min(wanted, MAX_PAGE)


def page_of(cases: QuerySet[Case], number: str | None, size: int) -> InboxPage:
    """Page ``number`` (1 for anything that is not a positive whole number) of ``cases``."""
    wanted = _page_number(number)
    start = (wanted - 1) * size
    rows = list(cases[start : start + size + 1])
    return InboxPage(rows[:size], wanted, len(rows) > size)


def page_of_inbox(
    municipality: Municipality,
    chosen: InboxFilter,
    user: AbstractBaseUser | None,
    number: str | None,
    size: int,
) -> InboxPage:
    """Page ``number`` of the inbox (``inbox``).

    A search first picks the page's ids among the matches alone (sorted and cut), then
    reads those cases with their submission, version, offering and assignee: in one
    statement PostgreSQL joined every match before sorting, 3,400 rows for a common family
    name at 1,000,000 cases (25-50 ms). The other lists are read along an index in their
    order and stop after the page, so they stay one statement.
    """
    if not chosen.q:
        return page_of(inbox(municipality, chosen, user), number, size)
    wanted = _page_number(number)
    start = (wanted - 1) * size
    # Not a subquery: the search's id filter names the table, which a subquery would alias.
    ids = list(
        filtered(municipality, chosen, user)
        .order_by(*_sort(chosen))
        .values_list("pk", flat=True)[start : start + size + 1]
    )
    rows = list(_listed(Case.objects.filter(pk__in=ids), chosen)) if ids else []
    return InboxPage(rows[:size], wanted, len(rows) > size)


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
    # Service and clerk are compared by id, each found once by a scalar subquery on its unique
    # key: a join of every counted case to its submission, offering or user would end the
    # counts' index-only scans (ADR 0007); the case holds its offering for that.
    if chosen.offering:
        offering = Offering.objects.filter(uuid=chosen.offering).order_by().values("pk")
        cases = cases.filter(offering=Subquery(offering))
    if chosen.assignee == MINE:
        cases = cases.filter(assignee=user) if user else cases.none()
    elif chosen.assignee == UNASSIGNED:
        cases = cases.filter(assignee__isnull=True)
    elif chosen.assignee:
        clerk = get_user_model().objects.filter(username=chosen.assignee).values("pk")
        cases = cases.filter(assignee=Subquery(clerk))
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


_LISTED = (
    "uuid",
    "status",
    "created_at",
    "deadline",
    "suspended_at",
    "closed_at",
    "has_new_reply",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "submission__reference_number",
    "submission__applicant_name",
    "offering__title",
    "submission__solution_version__workflow",
)


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
    return _listed(filtered(municipality, chosen, user), chosen)


def _sort(chosen: InboxFilter) -> tuple[Any, ...]:
    return SORTS.get(chosen.sort, SORTS["-received"])


def _listed(cases: QuerySet[Case], chosen: InboxFilter) -> QuerySet[Case]:
    return (
        cases.select_related(
            "assignee",
            "offering",
            "submission__solution_version",
        )
        # Only the columns the list shows: building 26 full rows with their submission,
        # offering and version cost more than the query at 1,000,000 cases.
        .only(*_LISTED)
        .order_by(*_sort(chosen))
    )


def status_counts(
    municipality: Municipality,
    chosen: InboxFilter | None = None,
    user: AbstractBaseUser | None = None,
) -> StatusCounts:
    """Cases per status for the current filter without its status part; every status of the
    default workflow is listed (zero included), other workflows' statuses where they occur.

    Open cases are counted in full; the final statuses (closed, withdrawn: ``closed_at`` set)
    only for the cases finished in the last ``FINAL_COUNT_DAYS`` days. Counting every closed
    case read 86 % of a municipality's history on each page (90 ms at 1,000,000 cases); the
    recent ones grow with the workload, not with the years (docs/adr/0007-inbox-counts.md).
    Two grouped counts, each an index-only scan on PostgreSQL without further filters; one
    with a search.
    """
    chosen = chosen or InboxFilter()
    cases = filtered(municipality, chosen, user, with_status=False)
    since = timezone.now() - timedelta(days=FINAL_COUNT_DAYS)
    counted = StatusCounts(dict.fromkeys(DEFAULT.statuses, 0))
    if chosen.q:
        # A search: the full-text match costs more than the counting, so both counts come
        # from one statement that matches once (two took 57 ms for a common family name at
        # 1,000,000 cases; no index-only scan is possible after the match anyway).
        still_open, recently = Q(closed_at__isnull=True), Q(closed_at__gte=since)
        for status, open_number, finished_number in (
            cases.filter(still_open | recently)
            .values_list("status")
            .annotate(
                open_number=Count("pk", filter=still_open),
                finished_number=Count("pk", filter=recently),
            )
            .order_by()
        ):
            counted[status] = counted.get(status, 0) + open_number + finished_number
            counted.open += open_number
        return counted
    per_status = Count("*")  # not COUNT(id): the index holds no id, the scan stays index-only
    still_open = cases.filter(closed_at__isnull=True).values_list("status").annotate(n=per_status)
    recently_finished = (
        cases.filter(closed_at__gte=since).values_list("status").annotate(n=per_status)
    )
    # Two statements, not a UNION ALL: PostgreSQL ran that as a parallel append, and starting
    # its workers cost more than both counts (20 ms against 11 ms at 1,000,000 cases).
    for part in (still_open, recently_finished):
        for status, number in part.order_by():
            counted[status] = counted.get(status, 0) + number
            counted.open += number if part is still_open else 0
    return counted


def offerings_in(municipality: Municipality) -> QuerySet[Offering]:
    """The offerings whose cases this inbox may hold: processed here, or handed over here.

    Only the handed-over cases are read (``Case.handed_over``, a partial index): reading every
    case of the inbox took a second at 170,000 cases (docs/benchmarks.md, back office).
    """
    handed_here = Case.objects.filter(municipality=municipality, handed_over=True).values(
        "offering_id"
    )
    return Offering.objects.filter(
        Q(processing_municipality=municipality) | Q(pk__in=handed_here)
    ).order_by("title", "pk")


def statuses_in(municipality: Municipality) -> list[tuple[str, str]]:
    """(key, label) of every status of the workflows used by this inbox's cases, the
    default workflow's first."""
    return inbox_statuses(municipality)[0]


def inbox_statuses(municipality: Municipality) -> tuple[list[tuple[str, str]], set[str]]:
    """``statuses_in`` and, from the same queries, the keys of the final statuses among them
    (whose counts cover only the last ``FINAL_COUNT_DAYS`` days, see ``status_counts``)."""
    found = dict((key, DEFAULT.label(key)) for key in DEFAULT.statuses)
    final = {key for key, status in DEFAULT.statuses.items() if status.is_final}
    # From the few versions with a workflow of their own (none: no second query), those with
    # a case here. A join from the cases' side read every case of the inbox, and one query
    # over all versions was planned as a join of every case, which PostgreSQL then spent
    # 10 ms compiling (JIT) at 1,000,000 cases (docs/benchmarks.md, back office).
    own = dict(
        SolutionVersion.objects.filter(workflow__isnull=False)
        .order_by()
        .values_list("pk", "workflow")
    )
    in_this_inbox = Case.objects.filter(
        municipality=municipality, submission__solution_version=OuterRef("pk")
    )
    used = (
        SolutionVersion.objects.filter(Exists(in_this_inbox), pk__in=own).values_list(
            "pk", flat=True
        )
        if own
        else []
    )
    workflows = [own[pk] for pk in used]
    for definition in workflows:
        for key, status in workflow_of(definition).statuses.items():
            found.setdefault(key, status.label)
            if status.is_final:
                final.add(key)
    return list(found.items()), final


def clerks_of(municipality: Municipality) -> QuerySet:
    """Staff who may be assigned this municipality's cases."""
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
