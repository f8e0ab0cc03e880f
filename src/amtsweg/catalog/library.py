"""The solution library: every published solution version of this installation, for staff of
any municipality to find, judge and adopt.

Published versions are not tenant data (they exist to be reused), so the library is not
scoped to the reader's municipalities; drafts and versions in review never appear in it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from amtsweg.catalog.models import Offering, Service, SolutionVersion, VersionStatus
from amtsweg.tenants.models import Municipality

PAGE_SIZE = 20
SORTS = ("name", "adopters", "newest")


@dataclass(frozen=True)
class LibraryFilter:
    """What the library's search form asks for; empty values filter nothing."""

    query: str = ""
    themenfeld: str = ""
    lebenslage: str = ""
    publisher: str = ""  # the publisher's AGS
    min_adopters: int = 0
    sort: str = "name"


def _adopters() -> Prefetch:
    return Prefetch(
        "offerings",
        queryset=Offering.objects.select_related("municipality").order_by(
            "municipality__short_name"
        ),
        to_attr="adoptions",
    )


def published_versions() -> QuerySet[SolutionVersion]:
    """Every published version with its solution, service and publisher, the number of
    municipalities offering it (``adopters``) and those offerings (``adoptions``)."""
    return (
        SolutionVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("solution__service", "solution__publisher", "solution__forked_from")
        .annotate(adopters=Count("offerings__municipality", distinct=True))
        .prefetch_related(_adopters())
    )


def search_library(wanted: LibraryFilter) -> QuerySet[SolutionVersion]:
    """The published versions matching ``wanted``, sorted as asked."""
    versions = published_versions()
    if wanted.query:
        text = wanted.query.strip()
        versions = versions.filter(
            Q(solution__name__icontains=text)
            | Q(solution__summary__icontains=text)
            | Q(solution__service__name__icontains=text)
            | Q(solution__service__leika_key__startswith=text)
        )
    if wanted.themenfeld:
        versions = versions.filter(solution__service__themenfeld=wanted.themenfeld)
    if wanted.lebenslage:
        versions = versions.filter(solution__service__lebenslage=wanted.lebenslage)
    if wanted.publisher:
        versions = versions.filter(solution__publisher__ags=wanted.publisher)
    if wanted.min_adopters:
        versions = versions.filter(adopters__gte=wanted.min_adopters)
    order = {
        "adopters": ["-adopters", "solution__name", "-number"],
        "newest": ["-published_at", "-number"],
    }.get(wanted.sort, ["solution__name", "-number"])
    return versions.order_by(*order)


@dataclass(frozen=True)
class Facets:
    """The values the library's filters offer: only those some published version has."""

    themenfelder: list[str]
    lebenslagen: list[str]
    publishers: list[Municipality]


def library_facets() -> Facets:
    services = Service.objects.filter(solutions__versions__status=VersionStatus.PUBLISHED)

    def values(name: str) -> list[str]:
        return sorted(set(services.exclude(**{name: ""}).values_list(name, flat=True).distinct()))

    return Facets(
        themenfelder=values("themenfeld"),
        lebenslagen=values("lebenslage"),
        publishers=list(
            Municipality.objects.filter(
                published_solutions__versions__status=VersionStatus.PUBLISHED
            )
            .distinct()
            .order_by("short_name")
        ),
    )


def get_library_version(solution_uuid: object, number: int) -> SolutionVersion:
    """A published version by its solution's uuid and number; 404 for drafts and unknown ones."""
    try:
        return published_versions().get(solution__uuid=solution_uuid, number=number)
    except (SolutionVersion.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such published solution version.")) from None


def versions_of(version: SolutionVersion) -> QuerySet[SolutionVersion]:
    """Every published version of the same solution, newest first."""
    return SolutionVersion.objects.filter(
        solution_id=version.solution_id, status=VersionStatus.PUBLISHED
    ).order_by("-number")
