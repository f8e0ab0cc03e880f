"""The dashboard's figures for a list of municipalities, each in a fixed number of queries
whatever the number of municipalities (one grouped query, never one per municipality).

Definitions:

* **services online**: OZG-Leistungen whose progress is "online" (a live offering, or recorded).
* **submissions per month**: submitted applications by the month of ``submitted_at``, counted
  for the municipality that offers the service (where the citizen applied).
* **processing time**: from ``submitted_at`` to the first status entry "decided" or, for
  workflows without it, ``closed_at``; counted for the processing municipality (whose inbox
  held the case). Withdrawn cases are left out. The median is in days; PostgreSQL takes it
  with ``percentile_cont`` so that no case row leaves the database (an inbox of a large city
  holds hundreds of thousands of ended cases), other databases in Python.
* **finished without paper**: of the cases that ended (``closed_at``, not withdrawn), those
  without a ``PaperStep`` (no letter, paper original or visit recorded).
"""

import statistics as stats
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from amtsweg.cases.models import Case, CaseResult, CaseStatus, StatusEntry
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
    median_days: float | None = None
    finished: int = 0
    paper_free: int = 0

    @property
    def online(self) -> int:
        return self.states[ImplementationState.ONLINE]

    @property
    def paper_free_percent(self) -> int | None:
        return round(100 * self.paper_free / self.finished) if self.finished else None

    def add(self, other: "Figures") -> None:
        """Sum the counts; a median cannot be summed (``total`` takes it afresh)."""
        self.states.update(other.states)
        self.maturity.update(other.maturity)
        for month, count in other.months.items():
            self.months[month] = self.months.get(month, 0) + count
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
    """Municipality id → its figures (see the module docstring), in a fixed number of queries
    however many municipalities."""
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


class _Days(Func):
    """A PostgreSQL interval in days (fractional)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s) / 86400.0"
    output_field = FloatField()


class _Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _ended_cases(ids: list[int]) -> QuerySet[Case]:
    """Cases of these inboxes that were decided or closed, withdrawn ones left out, with
    ``ended_at`` (the first "decided" entry, else the closing) and ``on_paper``."""
    decided_at = (
        StatusEntry.objects.filter(case=OuterRef("pk"), status="decided")
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return (
        Case.objects.filter(municipality_id__in=ids, submission__submitted_at__isnull=False)
        .exclude(status=CaseStatus.WITHDRAWN)
        .exclude(result=CaseResult.WITHDRAWN)
        .annotate(
            ended_at=Coalesce(Subquery(decided_at), F("closed_at")),
            on_paper=Exists(PaperStep.objects.filter(case=OuterRef("pk"))),
        )
        .filter(ended_at__isnull=False)
    )


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("ended_at") - F("submission__submitted_at"), output_field=DurationField()
    )


def _medians(ids: list[int], *, together: bool = False) -> dict[int | None, float | None]:
    """Median processing days per municipality id, or (``together``) of all their cases under
    the key ``None``; one query."""
    ended = _ended_cases(ids).order_by()
    if connection.vendor == "postgresql":
        days = _Median(_Days(_duration()))
        if together:
            medians = {None: ended.aggregate(days=days)["days"]}
        else:
            medians = dict(
                ended.values("municipality_id")
                .annotate(days=days)
                .values_list("municipality_id", "days")
            )
    else:
        durations: dict[int | None, list[float]] = defaultdict(list)
        for municipality_id, submitted_at, ended_at in ended.values_list(
            "municipality_id", "submission__submitted_at", "ended_at"
        ):
            key = None if together else municipality_id
            durations[key].append((ended_at - submitted_at).total_seconds() / 86400)
        medians = {key: stats.median(values) for key, values in durations.items()}
    return {
        key: None if days is None else round(max(0.0, days), 1) for key, days in medians.items()
    }


def _processing(figures: dict[int, Figures], ids: list[int]) -> None:
    counts = (
        _ended_cases(ids)
        .values("municipality_id")
        .annotate(
            finished=Count("pk", filter=Q(closed_at__isnull=False)),
            paper_free=Count("pk", filter=Q(closed_at__isnull=False, on_paper=False)),
        )
        .values_list("municipality_id", "finished", "paper_free")
        .order_by()
    )
    for municipality_id, finished, paper_free in counts:
        figures[municipality_id].finished = finished
        figures[municipality_id].paper_free = paper_free
    for municipality_id, days in _medians(ids).items():
        figures[municipality_id].median_days = days


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
    """The figures of all these municipalities together (``figures_for``'s result); the
    median over all their cases is one more query."""
    combined = Figures()
    for entry in figures.values():
        combined.add(entry)
    combined.median_days = _medians(list(figures), together=True).get(None)
    return combined


def counts_by(edges: list[AdoptionEdge]) -> dict[tuple[int, int], int]:
    table: dict[tuple[int, int], int] = defaultdict(int)
    for edge in edges:
        table[(edge.publisher_id, edge.adopter_id)] += edge.solutions
    return dict(table)
