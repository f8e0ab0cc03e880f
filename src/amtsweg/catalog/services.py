"""The catalog app's public door: what a municipality offers its citizens."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from amtsweg.catalog.models import Offering, VersionStatus
from amtsweg.tenants.models import Municipality


def get_municipality(slug: str) -> Municipality:
    return get_object_or_404(Municipality, slug=slug)


def live_offerings(municipality: Municipality) -> QuerySet[Offering]:
    """The offerings a citizen of ``municipality`` can apply for today."""
    return (
        Offering.objects.live()
        .filter(municipality=municipality)
        .select_related("solution_version__solution__service")
        .order_by("title")
    )


def get_live_offering(municipality: Municipality, slug: str) -> Offering:
    try:
        return (
            live_offerings(municipality)
            .select_related("processing_municipality", "municipality")
            .get(slug=slug, solution_version__status=VersionStatus.PUBLISHED)
        )
    except Offering.DoesNotExist:
        raise Http404(_("This municipality does not offer this service online.")) from None
