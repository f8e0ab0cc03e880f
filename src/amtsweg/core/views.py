"""Platform-wide pages: health check, friendly error pages, the legal pages (imprint, privacy,
accessibility statement with its feedback form) and the session extension endpoint."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from amtsweg.catalog.services import get_municipality
from amtsweg.core import legal
from amtsweg.core.forms import AccessibilityFeedbackForm
from amtsweg.tenants.models import Municipality


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "core/error.html", {"status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def _municipality(slug: str | None) -> Municipality | None:
    """The municipality a legal page speaks for; None for the platform's own page."""
    return get_municipality(slug) if slug else None


def _legal_context(municipality: Municipality | None) -> dict[str, object]:
    return {
        "municipality": municipality,
        "legal_page": True,
        "platform_email": legal.platform_contact_email(),
    }


def imprint(request: HttpRequest, municipality_slug: str | None = None) -> HttpResponse:
    municipality = _municipality(municipality_slug)
    return render(request, "core/legal/imprint.html", _legal_context(municipality))


def privacy(request: HttpRequest, municipality_slug: str | None = None) -> HttpResponse:
    municipality = _municipality(municipality_slug)
    context = {
        **_legal_context(municipality),
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
    }
    return render(request, "core/legal/privacy.html", context)


def _reported_page(request: HttpRequest) -> str:
    """The page the citizen came from (the footer link carries it as ``von``), so the
    municipality knows where the barrier is; only a local path, never an outside address."""
    page = request.POST.get("page") or request.GET.get("von") or ""
    return page if page.startswith("/") and not page.startswith("//") else ""


def accessibility(request: HttpRequest, municipality_slug: str | None = None) -> HttpResponse:
    """The accessibility statement (BITV 2.0 § 7) with its feedback form.

    The form posts back here; on success it redirects to a thank-you page (so a reload does
    not send twice), on error it shows the page again with an error summary.
    """
    municipality = _municipality(municipality_slug)
    form = AccessibilityFeedbackForm(request.POST or None)
    limited = False
    status = 200
    if request.method == "POST":
        if not legal.feedback_allowed(request):
            limited = True
            status = 429
        elif form.is_valid():
            legal.receive_feedback(
                request,
                municipality=municipality,
                message=form.cleaned_data["message"],
                email=form.cleaned_data["email"],
                page=_reported_page(request),
            )
            if municipality:
                return redirect("core:feedback_thanks", municipality_slug=municipality.slug)
            return redirect("core:feedback_thanks")
        else:
            status = 400
    context = {
        **_legal_context(municipality),
        "form": form,
        "limited": limited,
        "prepared": legal.STATEMENT_PREPARED,
        "reported_page": _reported_page(request),
    }
    return render(request, "core/legal/accessibility.html", context, status=status)


def feedback_thanks(request: HttpRequest, municipality_slug: str | None = None) -> HttpResponse:
    municipality = _municipality(municipality_slug)
    return render(request, "core/legal/feedback_thanks.html", _legal_context(municipality))


@never_cache
@require_POST
def extend_session(request: HttpRequest) -> JsonResponse:
    """Keep the session alive for another SESSION_COOKIE_AGE (WCAG 2.2.1 "Timing Adjustable");
    CSRF-protected like every POST, answered as JSON for session-timeout.js."""
    extended_by = legal.extend_session(request)
    expires_at = timezone.now() + extended_by
    return JsonResponse(
        {"expires_in": int(extended_by.total_seconds()), "expires_at": expires_at.isoformat()}
    )
