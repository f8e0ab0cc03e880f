"""The OZG progress pages: the coordinators' dashboards in the back office (role-checked, only
their own municipality and its clusters) and the public transparency page. Thin: the figures
come from ``progress.dashboard``, the changes from ``progress.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from amtsweg.cases.services import get_case_for_user
from amtsweg.progress.dashboard import ClusterDashboard, MunicipalityDashboard, table_or_404
from amtsweg.progress.derivation import NOTHING, progress_of
from amtsweg.progress.forms import CatalogueFilterForm, PaperStepForm, ProgressForm
from amtsweg.progress.models import ImplementationState, OzgService
from amtsweg.progress.services import (
    ProgressRefused,
    clusters_of,
    dashboard_municipalities,
    get_dashboard_municipality,
    get_ozg_service,
    paper_steps_of,
    progress_for,
    record_paper_step,
    record_progress,
)
from amtsweg.tenants.models import Municipality

PAGE_SIZE = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    municipalities = list(dashboard_municipalities(request.user))
    if not municipalities:
        raise PermissionDenied(
            _("The OZG dashboard is for a municipality's admin and OZG coordinator.")
        )
    if len(municipalities) == 1:
        return redirect("progress:municipality", municipality_slug=municipalities[0].slug)
    return render(request, "progress/home.html", {"municipalities": municipalities})


@login_required
@require_GET
def municipality_dashboard(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    municipality = get_dashboard_municipality(request.user, municipality_slug)
    dashboard = MunicipalityDashboard.build(municipality)
    if key := request.GET.get("csv"):
        return table_or_404(dashboard.tables, key).csv(municipality.slug)
    return render(
        request,
        "progress/municipality.html",
        {"municipality": municipality, "dashboard": dashboard},
    )


@login_required
@require_GET
def cluster_dashboard(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """The dashboards of the clusters ``municipality`` belongs to: every member's figures."""
    municipality = get_dashboard_municipality(request.user, municipality_slug)
    clusters = clusters_of(municipality)
    if key := request.GET.get("csv"):
        cluster = next((c for c in clusters if c.slug == request.GET.get("verbund")), None)
        if cluster is None:
            raise Http404(_("This municipality belongs to no such cluster."))
        return table_or_404(ClusterDashboard.build(cluster).tables, key).csv(cluster.slug)
    return render(
        request,
        "progress/cluster.html",
        {
            "municipality": municipality,
            "dashboards": [ClusterDashboard.build(cluster) for cluster in clusters],
        },
    )


@login_required
@require_GET
def catalogue(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """The whole OZG catalogue with this municipality's progress, filterable, 50 a page."""
    municipality = get_dashboard_municipality(request.user, municipality_slug)
    themenfelder = list(
        OzgService.objects.order_by("themenfeld").values_list("themenfeld", flat=True).distinct()
    )
    form = CatalogueFilterForm(request.GET or None, themenfelder=themenfelder)
    services = OzgService.objects.order_by("ozg_id")
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            services = services.filter(Q(ozg_id=query) | Q(name__icontains=query))
        if themenfeld := form.cleaned_data["themenfeld"]:
            services = services.filter(themenfeld=themenfeld)
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    progress = progress_of([municipality.pk])
    rows = [
        (service, progress.get((municipality.pk, service.pk), NOTHING))
        for service in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "progress/catalogue.html",
        {
            "municipality": municipality,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, municipality_slug: str, ozg_id: str) -> HttpResponse:
    municipality = get_dashboard_municipality(request.user, municipality_slug)
    service = get_ozg_service(ozg_id)
    current = progress_for(municipality, service)
    form = ProgressForm(
        request.POST or None,
        initial={
            "state": current.state,
            "maturity": current.maturity,
            "planned_for": current.planned_for,
            "note": current.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_progress(municipality, service, form.change(), actor=request.user)
        except ProgressRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The progress was saved."))
            return redirect("progress:catalogue", municipality_slug=municipality.slug)
    return render(
        request,
        "progress/edit.html",
        {"municipality": municipality, "service": service, "current": current, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def transparency(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """Public: which OZG services the municipality offers online (with maturity) and which it
    plans, with their dates."""
    municipality = get_object_or_404(Municipality, slug=municipality_slug)
    progress = progress_of([municipality.pk])
    services = {
        service.pk: service
        for service in OzgService.objects.filter(pk__in=[pk for _m, pk in progress])
    }
    rows = sorted(
        ((services[pk], entry) for (_m, pk), entry in progress.items()),
        key=lambda row: (row[0].themenfeld, row[0].name),
    )
    return render(
        request,
        "progress/transparency.html",
        {
            "municipality": municipality,
            "online": [row for row in rows if row[1].state == ImplementationState.ONLINE],
            "coming": [
                row
                for row in rows
                if row[1].state in (ImplementationState.PLANNED, ImplementationState.IN_PROGRESS)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_steps(request: HttpRequest, case_uuid: str) -> HttpResponse:
    """A case's paper steps (letters, paper originals, visits); its clerks record one here.
    They count against the dashboard's share of cases finished without paper."""
    case = get_case_for_user(request.user, case_uuid)
    form = PaperStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record_paper_step(case, data["kind"], actor=request.user, note=data["note"])
        messages.success(request, _("The paper step was recorded."))
        return redirect("progress:paper_steps", case_uuid=case.uuid)
    return render(
        request,
        "progress/paper_steps.html",
        {"case": case, "steps": paper_steps_of(case), "form": form},
        status=400 if form.errors else 200,
    )
