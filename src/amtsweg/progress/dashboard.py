"""The dashboard pages' content: figures, charts and tables for one municipality or one
cluster, and the same tables as CSV. Every table is built once and used for both, so the
page and the download never disagree."""

from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpResponse
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from amtsweg.progress import charts
from amtsweg.progress.csv_export import csv_response
from amtsweg.progress.models import MATURITY_LEVELS, ImplementationState
from amtsweg.progress.statistics import (
    Figures,
    adoption_edges,
    counts_by,
    figures_for,
    service_rows,
    total,
)
from amtsweg.tenants.models import Cluster, Municipality

#: The levels the tables and charts show one by one; level 0 (nothing online) is left out.
SHOWN_LEVELS = MATURITY_LEVELS[1:]


@dataclass
class Table:
    """A table shown on the page and offered as CSV under ``key``."""

    key: str
    caption: str
    header: list[str]
    rows: list[list[object]]

    def csv(self, prefix: str) -> HttpResponse:
        return csv_response(f"{prefix}-{self.key}.csv", self.header, self.rows)


def _month(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _short_month(month: date) -> str:
    return f"{month:%m/%y}"


def _days(value: float | None) -> object:
    return "–" if value is None else formats.number_format(value, 1)


def _percent(value: int | None) -> object:
    return "–" if value is None else f"{value} %"


def maturity_label(level: int) -> str:
    return _("level %(level)d") % {"level": level}


def _adoption_table(names: dict[int, str], counts: dict[tuple[int, int], int]) -> Table:
    rows = [
        [names[publisher], names[adopter], count]
        for (publisher, adopter), count in sorted(
            counts.items(), key=lambda item: (names[item[0][0]], names[item[0][1]])
        )
    ]
    return Table(
        "nachnutzung",
        _("Reuse of solutions (publisher → adopter)"),
        [_("Publisher"), _("Adopter"), _("Solutions offered")],
        rows,
    )


def _adoption(municipality_ids: list[int]) -> tuple[dict[int, str], dict[tuple[int, int], int]]:
    edges = adoption_edges(municipality_ids)
    ids = {edge.publisher_id for edge in edges} | {edge.adopter_id for edge in edges}
    names = dict(Municipality.objects.filter(pk__in=ids).values_list("pk", "short_name"))
    return names, counts_by(edges)


@dataclass
class MunicipalityDashboard:
    municipality: Municipality
    figures: Figures
    tables: dict[str, Table]
    maturity_chart: SafeString
    months_chart: SafeString

    @classmethod
    def build(cls, municipality: Municipality) -> "MunicipalityDashboard":
        figures = figures_for([municipality])[municipality.pk]
        names, counts = _adoption([municipality.pk])
        services = Table(
            "leistungen",
            _("OZG services with recorded or derived progress"),
            [
                _("OZG ID"),
                _("OZG service"),
                _("Subject area"),
                _("State"),
                _("Maturity level"),
                _("Planned for"),
                _("Online through"),
                _("Note"),
            ],
            [
                [
                    service.ozg_id,
                    service.name,
                    service.themenfeld,
                    progress.state_label,
                    progress.maturity,
                    progress.planned_for.isoformat() if progress.planned_for else "",
                    ", ".join(progress.offerings),
                    progress.note,
                ]
                for service, progress in service_rows(municipality)
            ],
        )
        maturity = Table(
            "reifegrad",
            _("Maturity levels of the OZG services"),
            [_("Maturity level"), _("OZG services")],
            [[level, figures.maturity[level]] for level in MATURITY_LEVELS],
        )
        months = Table(
            "antraege",
            _("Submissions per month"),
            [_("Month"), _("Submissions")],
            [[month.isoformat()[:7], count] for month, count in figures.months.items()],
        )
        tables = {
            table.key: table
            for table in (services, maturity, months, _adoption_table(names, counts))
        }
        return cls(
            municipality,
            figures,
            tables,
            charts.bar_chart(
                "chart-maturity",
                _("Maturity levels 1 to 4"),
                _("Number of OZG services per maturity level; level 0: %(count)d services.")
                % {"count": figures.maturity[0]},
                [(maturity_label(level), figures.maturity[level]) for level in SHOWN_LEVELS],
            ),
            charts.bar_chart(
                "chart-months",
                _("Submissions per month"),
                _("Submitted applications in each of the last 12 months, from %(first)s.")
                % {"first": _month(next(iter(figures.months)))},
                [(_short_month(month), count) for month, count in figures.months.items()],
            ),
        )


@dataclass
class ClusterDashboard:
    cluster: Cluster
    members: list[Municipality]
    figures: dict[int, Figures]
    combined: Figures
    tables: dict[str, Table]
    states_chart: SafeString
    maturity_chart: SafeString
    adoption_chart: SafeString
    months_chart: SafeString

    @classmethod
    def build(cls, cluster: Cluster) -> "ClusterDashboard":
        """``cluster`` with its members prefetched (``services.clusters_of``)."""
        members = sorted(cluster.members.all(), key=lambda member: member.short_name)
        figures = figures_for(members)
        combined = total(figures)
        member_ids = [member.pk for member in members]
        names, counts = _adoption(member_ids)
        overview = Table(
            "kommunen",
            _("Municipalities of the cluster"),
            [
                _("Municipality"),
                _("Online"),
                _("In progress"),
                _("Planned"),
                *[maturity_label(level) for level in SHOWN_LEVELS],
                _("Submissions (12 months)"),
                _("Median processing time (days)"),
                _("Finished without paper"),
            ],
            [_overview_row(member.short_name, figures[member.pk]) for member in members]
            + [_overview_row(_("Cluster total"), combined)],
        )
        month_keys = list(combined.months)
        months = Table(
            "antraege",
            _("Submissions per month and municipality"),
            [_("Month"), *[member.short_name for member in members]],
            [
                [month.isoformat()[:7], *[figures[member.pk].months[month] for member in members]]
                for month in month_keys
            ],
        )
        tables = {table.key: table for table in (overview, months, _adoption_table(names, counts))}
        states = (
            ImplementationState.PLANNED,
            ImplementationState.IN_PROGRESS,
            ImplementationState.ONLINE,
        )
        return cls(
            cluster,
            members,
            figures,
            combined,
            tables,
            charts.stacked_bar_chart(
                "chart-states",
                _("Implementation state per municipality"),
                _("OZG services planned, in progress and online in each member municipality."),
                [str(state.label) for state in states],
                [
                    (member.short_name, [figures[member.pk].states[state] for state in states])
                    for member in members
                ],
            ),
            charts.stacked_bar_chart(
                "chart-maturity",
                _("Maturity levels per municipality"),
                _("OZG services at maturity levels 1 to 4 in each member municipality."),
                [maturity_label(level) for level in SHOWN_LEVELS],
                [
                    (
                        member.short_name,
                        [figures[member.pk].maturity[level] for level in SHOWN_LEVELS],
                    )
                    for member in members
                ],
            ),
            charts.adoption_matrix(
                "chart-adoption",
                _("Who reuses whose solutions"),
                _(
                    "Rows: publishing municipality; columns: adopting municipality; each cell the "
                    "number of the publisher's solutions the adopter offers. The dashed diagonal "
                    "is a municipality offering its own solutions."
                ),
                sorted(
                    {(publisher, names[publisher]) for publisher, _adopter in counts},
                    key=lambda item: item[1],
                ),
                [(member.pk, member.short_name) for member in members]
                + sorted(
                    {
                        (adopter, names[adopter])
                        for _publisher, adopter in counts
                        if adopter not in member_ids
                    },
                    key=lambda item: item[1],
                ),
                counts,
            ),
            charts.bar_chart(
                "chart-months",
                _("Submissions per month in the cluster"),
                _("Submitted applications in all member municipalities, last 12 months."),
                [(_short_month(month), count) for month, count in combined.months.items()],
            ),
        )


def _overview_row(name: str, figures: Figures) -> list[object]:
    return [
        name,
        figures.online,
        figures.states[ImplementationState.IN_PROGRESS],
        figures.states[ImplementationState.PLANNED],
        *[figures.maturity[level] for level in SHOWN_LEVELS],
        sum(figures.months.values()),
        _days(figures.median_days),
        _percent(figures.paper_free_percent),
    ]


def table_or_404(tables: dict[str, Table], key: str) -> Table:
    if key not in tables:
        raise Http404(_("There is no such table."))
    return tables[key]
