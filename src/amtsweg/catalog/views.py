"""Citizen portal: a municipality's services and the page of one service."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amtsweg.catalog.services import get_live_offering, get_municipality, live_offerings


@require_GET
def municipality_page(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    municipality = get_municipality(municipality_slug)
    return render(
        request,
        "catalog/municipality.html",
        {"municipality": municipality, "offerings": live_offerings(municipality)},
    )


@require_GET
def offering_page(
    request: HttpRequest, municipality_slug: str, offering_slug: str
) -> HttpResponse:
    municipality = get_municipality(municipality_slug)
    offering = get_live_offering(municipality, offering_slug)
    return render(
        request, "catalog/offering.html", {"municipality": municipality, "offering": offering}
    )
