"""Citizen portal: find one's municipality by name or postcode; the municipality's logo."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from amtsweg.tenants.forms import AppearanceForm
from amtsweg.tenants.logos import CONTENT_TYPES, logo_suffix
from amtsweg.tenants.models import Municipality, Role
from amtsweg.tenants.services import municipalities_for, search_municipalities

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100


@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    results = list(search_municipalities(query)[:20]) if query else []
    return render(request, "tenants/portal_home.html", {"query": query, "results": results})


@require_GET
@cache_control(public=True, max_age=3600)
def municipality_logo(request: HttpRequest, municipality_slug: str) -> FileResponse:
    """The logo, as the kind its name says, inert even when opened on its own: no sniffing,
    and a sandbox that forbids scripts in an SVG."""
    municipality = get_object_or_404(Municipality, slug=municipality_slug)
    content_type = CONTENT_TYPES.get(logo_suffix(municipality.logo.name or ""))
    if not municipality.logo or content_type is None:
        raise Http404("This municipality has no logo.")
    try:
        content = municipality.logo.open("rb")
    except FileNotFoundError:
        logger.error("The logo of %s is missing from the storage", municipality.slug)
        raise Http404("This municipality's logo is missing from the storage.") from None
    response = FileResponse(content, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def appearance_settings(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """The municipal admin sets logo, accent colour and contact block; other staff, and
    admins of other municipalities, get a 404."""
    municipality = get_object_or_404(
        municipalities_for(request.user, frozenset({Role.ADMIN})), slug=municipality_slug
    )
    form = AppearanceForm(request.POST or None, request.FILES or None, instance=municipality)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The appearance and contact details are saved."))
        return redirect("tenants:appearance", municipality_slug=municipality.slug)
    return render(request, "tenants/appearance.html", {"form": form, "managed": municipality})
