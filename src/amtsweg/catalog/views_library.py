"""Back office: the solution library (any staff member), adoption by a municipal admin, the
admin's offerings with their updates, and forking.

Library pages show published versions only (public material, meant to be reused); offering
pages reach an offering only through ``get_offering_for_admin`` (404 for anyone else).
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.catalog.adoption import (
    adopt_solution,
    adopting_municipalities,
    adoption_defaults,
    chosen_options,
    existing_offering,
    fork_solution,
    get_offering_for_admin,
    offerings_for_admin,
    put_live,
    step_hint,
    update_offering,
)
from amtsweg.catalog.diff import diff_versions, previous_published
from amtsweg.catalog.forms import LibraryFilterForm, OfferingSettingsForm, offering_initial
from amtsweg.catalog.library import (
    PAGE_SIZE,
    get_library_version,
    library_facets,
    search_library,
    versions_of,
)
from amtsweg.catalog.models import Offering, SolutionVersion, VersionStatus
from amtsweg.catalog.packages import export_package, package_filename
from amtsweg.catalog.services import designing_municipalities
from amtsweg.catalog.versions import (
    VersionChangeRefused,
    newer_versions,
    switch_version,
    update_state,
)
from amtsweg.catalog.views import option_fields, preview_options, preview_steps
from amtsweg.tenants.models import Municipality, Role
from amtsweg.tenants.services import municipalities_for

LIBRARY = "catalog/library/"
ALL_ROLES = frozenset(Role.values)


def _require_staff(request: HttpRequest) -> None:
    """The library is for staff of any municipality on this installation."""
    if not municipalities_for(request.user, ALL_ROLES).exists():
        raise PermissionDenied(_("Only staff of a municipality may open the library."))


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Every published solution version, searchable and filterable, 20 to a page."""
    _require_staff(request)
    form = LibraryFilterForm(request.GET or None, library_facets())
    wanted = form.wanted()
    page = Paginator(search_library(wanted), PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        f"{LIBRARY}list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _adoption_of(request: HttpRequest, version: SolutionVersion) -> dict[str, object]:
    """For each municipality the user administers: its offering of this solution, if any
    (one query for all of them, not one per municipality)."""
    municipalities = list(adopting_municipalities(request.user))
    offerings: dict[int, Offering] = {}
    for offering in Offering.objects.filter(
        municipality__in=municipalities, solution_version__solution_id=version.solution_id
    ).select_related("solution_version"):
        offerings.setdefault(offering.municipality_id, offering)
    return {municipality: offerings.get(municipality.pk) for municipality in municipalities}


@login_required
@require_GET
def library_version(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """One published version: everything an adopter needs to decide, and the way to adopt."""
    _require_staff(request)
    version = get_library_version(solution_uuid, number)
    previous = previous_published(version)
    return render(
        request,
        f"{LIBRARY}version.html",
        {
            "version": version,
            "solution": version.solution,
            "versions": versions_of(version),
            "previous": previous,
            "adoption": _adoption_of(request, version),
            "fork_for": list(designing_municipalities(request.user)),
        },
    )


@login_required
@require_GET
def library_preview(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    _require_staff(request)
    version = get_library_version(solution_uuid, number)
    chosen = preview_options(request, version)
    steps, problems = preview_steps(version, chosen)
    return render(
        request,
        f"{LIBRARY}preview.html",
        {
            "version": version,
            "solution": version.solution,
            "steps": steps,
            "problems": problems,
            "option_fields": option_fields(version, chosen),
        },
    )


@login_required
@require_GET
def library_diff(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """What the version changes against the previous published one (or ``?gegen=N``)."""
    _require_staff(request)
    version = get_library_version(solution_uuid, number)
    against = request.GET.get("gegen", "")
    if not against:
        previous = previous_published(version)
    elif re.fullmatch(r"[0-9]{1,9}", against):
        previous = get_library_version(solution_uuid, int(against))
    else:
        raise Http404(_("No such published solution version."))
    return render(
        request,
        "catalog/backoffice/diff.html",
        {
            "version": version,
            "solution": version.solution,
            "previous": previous,
            "diff": diff_versions(previous, version),
            "back_url": reverse("library:version", args=[version.solution.uuid, number]),
        },
    )


@login_required
@require_GET
def library_export(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """The version as a portable package (one JSON file)."""
    _require_staff(request)
    version = get_library_version(solution_uuid, number)
    response = HttpResponse(export_package(version), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{package_filename(version)}"'
    return response


def _chosen_municipality(request: HttpRequest) -> Municipality | None:
    """The municipality the admin adopts for: the one asked for, or their only one."""
    mine = adopting_municipalities(request.user)
    wanted = request.POST.get("fuer") or request.GET.get("fuer")
    if wanted:
        return mine.filter(ags=wanted).first()
    return mine.first() if mine.count() == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """Adopt a published version: local settings, then the preview and going live."""
    version = get_library_version(solution_uuid, number)
    municipality = _chosen_municipality(request)
    if municipality is None:
        if not adopting_municipalities(request.user).exists():
            raise PermissionDenied(_("Only a municipal admin may adopt solutions."))
        return render(
            request,
            f"{LIBRARY}choose_municipality.html",
            {"version": version, "municipalities": adopting_municipalities(request.user)},
        )
    found = existing_offering(municipality, version.solution)
    if found is not None:
        messages.info(
            request, _("%(name)s already offers this solution.") % {"name": municipality}
        )
        return redirect("offerings:detail", found.uuid)
    form = OfferingSettingsForm(
        request.POST or None,
        version=version,
        municipality=municipality,
        initial=adoption_defaults(version),
    )
    if request.method == "POST" and form.is_valid():
        try:
            offering, _created = adopt_solution(
                version, municipality, form.values(), actor=request.user
            )
        except ValidationError as invalid:
            form.show_errors(invalid)
        else:
            messages.success(
                request,
                _("The offering was created. Check the preview, then put it live."),
            )
            return redirect("offerings:detail", offering.uuid)
    return render(
        request,
        f"{LIBRARY}adopt.html",
        {"version": version, "solution": version.solution, "form": form, "for": municipality},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def fork(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """A new solution of the user's municipality, starting as a copy of this version."""
    version = get_library_version(solution_uuid, number)
    mine = designing_municipalities(request.user)
    wanted = request.POST.get("fuer", "")
    municipality = mine.filter(ags=wanted).first() if wanted else mine.first()
    if municipality is None:
        if wanted and mine.exists():
            raise PermissionDenied(
                _("You are not a designer or admin of the municipality with AGS %(ags)s.")
                % {"ags": wanted[:12]}
            )
        raise PermissionDenied(_("Only a designer or admin may fork a solution."))
    solution = fork_solution(version, municipality, actor=request.user)
    messages.success(
        request,
        _("“%(name)s” was created as a new solution; change its draft version 1.")
        % {"name": solution.name},
    )
    return redirect("designer:version", solution.uuid, 1)


# --- the admin's offerings ------------------------------------------------------------------


@login_required
@require_GET
def offering_list(request: HttpRequest) -> HttpResponse:
    """The offerings of the admin's municipalities, with available and required updates."""
    if not adopting_municipalities(request.user).exists():
        raise PermissionDenied(_("Only a municipal admin may manage offerings."))
    offerings = list(offerings_for_admin(request.user))
    newer = _newer_by_solution(offerings)
    rows = [
        {
            "offering": offering,
            "update": update_state(
                offering,
                [
                    v
                    for v in newer.get(offering.solution_version.solution_id, [])
                    if v.number > offering.solution_version.number
                ],
            ),
        }
        for offering in offerings
    ]
    return render(request, "catalog/offerings/list.html", {"rows": rows})


def _newer_by_solution(offerings: list[Offering]) -> dict[int, list[SolutionVersion]]:
    """Published versions of the offerings' solutions in one query, by solution id."""
    found: dict[int, list[SolutionVersion]] = {}
    ids = {offering.solution_version.solution_id for offering in offerings}
    for version in SolutionVersion.objects.filter(
        solution_id__in=ids, status=VersionStatus.PUBLISHED
    ).order_by("number"):
        found.setdefault(version.solution_id, []).append(version)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def offering_detail(request: HttpRequest, offering_uuid: object) -> HttpResponse:
    """An offering's local settings (editable), its state, and its updates."""
    offering = get_offering_for_admin(request.user, offering_uuid)
    version = offering.solution_version
    form = OfferingSettingsForm(
        request.POST or None,
        version=version,
        municipality=offering.municipality,
        initial=offering_initial(offering),
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_offering(offering, form.values(), actor=request.user)
        except ValidationError as invalid:
            form.show_errors(invalid)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("offerings:detail", offering.uuid)
    newer = newer_versions(offering)
    return render(
        request,
        "catalog/offerings/detail.html",
        {
            "offering": offering,
            "version": version,
            "form": form,
            "update": update_state(offering, newer),
            "newer": newer,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def offering_preview(request: HttpRequest, offering_uuid: object) -> HttpResponse:
    """The offering as a citizen will see it: its page and every step with the local hints."""
    offering = get_offering_for_admin(request.user, offering_uuid)
    steps, problems = preview_steps(offering.solution_version, offering.option_values)
    for entry in steps:
        entry["hint"] = step_hint(offering, entry["step"]["key"])
    return render(
        request,
        "catalog/offerings/preview.html",
        {
            "offering": offering,
            "steps": steps,
            "problems": problems,
            "options": chosen_options(offering),
        },
    )


@login_required
@require_POST
def offering_go_live(request: HttpRequest, offering_uuid: object) -> HttpResponse:
    offering = get_offering_for_admin(request.user, offering_uuid)
    offering = put_live(offering, actor=request.user)
    messages.success(
        request,
        _("The offering is live from %(date)s.") % {"date": offering.go_live.strftime("%d.%m.%Y")},
    )
    return redirect("offerings:detail", offering.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def offering_switch(request: HttpRequest, offering_uuid: object, number: int) -> HttpResponse:
    """The diff to a newer version and, on confirmation, the switch (one audited action)."""
    offering = get_offering_for_admin(request.user, offering_uuid)
    target = next((v for v in newer_versions(offering) if v.number == number), None)
    if target is None:
        messages.error(
            request, _("There is no newer published version %(number)d.") % {"number": number}
        )
        return redirect("offerings:detail", offering.uuid)
    problems: list[str] = []
    if request.method == "POST":
        try:
            switch_version(offering, target, actor=request.user)
        except ValidationError as invalid:
            problems = invalid.messages
        except VersionChangeRefused as refused:
            problems = [str(refused)]
        else:
            messages.success(
                request,
                _(
                    "The offering now uses version %(number)d. Applications made before keep "
                    "their version."
                )
                % {"number": number},
            )
            return redirect("offerings:detail", offering.uuid)
    return render(
        request,
        "catalog/offerings/switch.html",
        {
            "offering": offering,
            "target": target,
            "diff": diff_versions(offering.solution_version, target),
            "problems": problems,
        },
        status=400 if problems else 200,
    )
