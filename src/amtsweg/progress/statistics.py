"""The dashboard's figures for a list of municipalities, each in a fixed number of queries
whatever the number of municipalities (one grouped query, never one per municipality).

Definitions:

* **services online**: OZG-Leistungen whose progress is "online" (a live offering, or recorded).
* **submissions per month**: submitted applications by the month of ``submitted_at``, counted
  for the municipality that offers the service (where the citizen applied).
* **processing time**: from ``submitted_at`` to the first status entry "decided" or, for
  workflows without it, ``closed_at``; counted for the processing municipality (whose inbox
  held the case). Withdrawn cases are left out. The median is in days.
* **finished without paper**: of the cases that ended (``closed_at``, not withdrawn), those
  without a ``PaperStep`` (no letter, paper original or visit recorded).
"""

import statistics as stats
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from amtsweg.cases.models import Case, CaseResult, CaseStatus
from amtsweg.catalog.models import Offering
from amtsweg.progress.derivation import Progress, progress_of
from amtsweg.progress.models import MATURITY_LEVELS, ImplementationState, OzgService, PaperStep
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.tenants.models import Municipality

MONTHS_SHOWN = 12


@dataclass
class Figures:
    """One municipality's (or a cluster's) figures."""

    states: Counter = field(default_factory=Counter)
    maturity: Counter = field(default_factory=Counter)
    months: dict[date, int] = field(default_factory=dict)
    processing_days: list[float] = field(default_factory=list)
    finished: int = 0
    paper_free: int = 0

    @property
    def online(self) -> int:
        return self.states[ImplementationState.ONLINE]

    @property
    def median_days(self) -> float | None:
        return round(stats.median(self.processing_days), 1) if self.processing_days else None

    @property
    def paper_free_percent(self) -> int | None:
        return round(100 * self.paper_free / self.finished) if self.finished else None

    def add(self, other: "Figures") -> None:
        self.states.update(other.states)
        self.maturity.update(other.maturity)
        for month, count in other.months.items():
            self.months[month] = self.months.get(month, 0) + count
        self.processing_days += other.processing_days
        self.finished += other.finished
        self.paper_free += other.paper_free


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the ``count`` months up to and including ``today``'s, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def figures_for(municipalities: list[Municipality]) -> dict[int, Figures]:
    """Municipality id → its figures (see the module docstring); six queries."""
    ids = [municipality.pk for municipality in municipalities]
    figures = {pk: Figures() for pk in ids}
    _progress(figures, ids)
    _submissions(figures, ids)
    _processing(figures, ids)
    return figures


def _progress(figures: dict[int, Figures], ids: list[int]) -> None:
    catalogue_size = OzgService.objects.current().count()
    for (municipality_id, _service), progress in progress_of(ids).items():
        figures[municipality_id].states[progress.state] += 1
        figures[municipality_id].maturity[progress.maturity] += 1
    for entry in figures.values():
        # Every catalogue service nobody recorded anything for is "not planned", level 0.
        rest = max(0, catalogue_size - sum(entry.states.values()))
        entry.states[ImplementationState.NOT_PLANNED] += rest
        entry.maturity[0] += rest
        for level in MATURITY_LEVELS:
            entry.maturity.setdefault(level, 0)


def _submissions(figures: dict[int, Figures], ids: list[int]) -> None:
    months = last_months(timezone.localdate())
    for entry in figures.values():
        entry.months = dict.fromkeys(months, 0)
    start = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    rows = (
        Submission.objects.filter(
            status=SubmissionStatus.SUBMITTED,
            offering__municipality_id__in=ids,
            submitted_at__gte=start,
        )
        .annotate(month=TruncMonth("submitted_at"))
        .values_list("offering__municipality_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for municipality_id, month, count in rows:
        key = month.date() if isinstance(month, datetime) else month
        if key in figures[municipality_id].months:
            figures[municipality_id].months[key] += count


def _processing(figures: dict[int, Figures], ids: list[int]) -> None:
    ended = (
        Case.objects.filter(municipality_id__in=ids)
        .exclude(status=CaseStatus.WITHDRAWN)
        .exclude(result=CaseResult.WITHDRAWN)
        .annotate(
            decided_at=Min(
                "status_entries__created_at", filter=Q(status_entries__status="decided")
            ),
            on_paper=Exists(PaperStep.objects.filter(case=OuterRef("pk"))),
        )
        .filter(Q(decided_at__isnull=False) | Q(closed_at__isnull=False))
        .values_list(
            "municipality_id", "submission__submitted_at", "decided_at", "closed_at", "on_paper"
        )
        .order_by()
    )
    for municipality_id, submitted_at, decided_at, closed_at, on_paper in ended:
        entry = figures[municipality_id]
        end = decided_at or closed_at
        if submitted_at is not None and end is not None:
            entry.processing_days.append(max(0.0, (end - submitted_at).total_seconds() / 86400))
        if closed_at is not None:
            entry.finished += 1
            entry.paper_free += not on_paper


@dataclass(frozen=True)
class AdoptionEdge:
    """``adopter`` offers ``solutions`` solutions that ``publisher`` published."""

    publisher_id: int
    adopter_id: int
    solutions: int


def adoption_edges(municipality_ids: list[int]) -> list[AdoptionEdge]:
    """Who reuses whose solutions, among active offerings where the publisher or the adopter
    is one of ``municipality_ids``; one query."""
    rows = (
        Offering.objects.filter(is_active=True)
        .filter(
            Q(municipality_id__in=municipality_ids)
            | Q(solution_version__solution__publisher_id__in=municipality_ids)
        )
        .values_list("solution_version__solution__publisher_id", "municipality_id")
        .annotate(solutions=Count("solution_version__solution", distinct=True))
        .order_by()
    )
    return [AdoptionEdge(publisher, adopter, count) for publisher, adopter, count in rows]


def service_rows(municipality: Municipality) -> list[tuple[OzgService, Progress]]:
    """Every OZG-Leistung with progress in ``municipality`` (recorded or live), by OZG ID."""
    progress = progress_of([municipality.pk])
    services = OzgService.objects.filter(pk__in=[service for _m, service in progress]).order_by(
        "ozg_id"
    )
    return [(service, progress[(municipality.pk, service.pk)]) for service in services]


def total(figures: dict[int, Figures]) -> Figures:
    combined = Figures()
    for entry in figures.values():
        combined.add(entry)
    return combined


def counts_by(edges: list[AdoptionEdge]) -> dict[tuple[int, int], int]:
    table: dict[tuple[int, int], int] = defaultdict(int)
    for edge in edges:
        table[(edge.publisher_id, edge.adopter_id)] += edge.solutions
    return dict(table)
