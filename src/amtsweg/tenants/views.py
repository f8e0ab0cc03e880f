"""Citizen portal: find one's municipality by name or postcode."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amtsweg.tenants.services import search_municipalities

MAX_QUERY_LENGTH = 100


@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    results = list(search_municipalities(query)[:20]) if query else []
    return render(request, "tenants/portal_home.html", {"query": query, "results": results})
