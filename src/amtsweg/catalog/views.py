"""Citizen portal: a municipality's services and the page of one service; and, in the back
office, the service designer's pages: solutions, versions, JSON editor, preview, FIM import."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.audit.services import events_for
from amtsweg.catalog.adoption import chosen_options
from amtsweg.catalog.diff import diff_versions, previous_published
from amtsweg.catalog.forms import PackageUploadForm, VersionSettingsForm
from amtsweg.catalog.models import SolutionVersion, VersionStatus
from amtsweg.catalog.packages import MAX_PACKAGE_BYTES, PackageRefused, import_package
from amtsweg.catalog.services import (
    MAX_FIM_UPLOAD_BYTES,
    DesignChangeRefused,
    DraftAlreadyOpen,
    VersionChangeRefused,
    approve_version,
    create_draft_version,
    definition_as_text,
    definition_problems,
    definition_revision,
    designing_municipalities,
    get_live_offering,
    get_municipality,
    get_solution_for_designer,
    get_solution_version_for_designer,
    import_fim_into_draft,
    live_offerings,
    may_design,
    open_draft,
    read_definition_text,
    request_review,
    return_to_draft,
    save_draft_definition,
    save_draft_settings,
    solutions_for_designer,
)
from amtsweg.forms.fim import FimImportError
from amtsweg.forms.services import (
    BoundGroup,
    BoundItem,
    DefinitionError,
    bind_step,
    data_schema,
    hidden_by_options,
    run_scenarios,
    steps_of,
)
from amtsweg.forms.text import localized


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
    offering = get_live_offering(municipality, offering_slug, with_service=True)
    return render(
        request,
        "catalog/offering.html",
        {"municipality": municipality, "offering": offering, "options": chosen_options(offering)},
    )


# --- Back office: the service designer's pages ----------------------------------------------
#
# Every page reaches the solution through the designer's scoped accessors (404 for anyone
# else), and every change goes through one service function that checks the role again.

DESIGNER = "catalog/backoffice/"


@login_required
@require_GET
def designer_solutions(request: HttpRequest) -> HttpResponse:
    """The solutions the user's municipalities publish, with their versions."""
    if not may_design(request.user):
        raise PermissionDenied(_("Only service designers may open the solutions."))
    rows = []
    for solution in solutions_for_designer(request.user):
        versions = list(solution.versions.all())
        draft = next((v for v in versions if v.status != VersionStatus.PUBLISHED), None)
        rows.append({"solution": solution, "versions": versions, "draft": draft})
    return render(request, f"{DESIGNER}solutions.html", {"rows": rows})


@login_required
@require_POST
def designer_new_version(request: HttpRequest, solution_uuid: object) -> HttpResponse:
    solution = get_solution_for_designer(request.user, solution_uuid)
    try:
        version = create_draft_version(solution, actor=request.user)
    except DraftAlreadyOpen as refused:
        messages.info(request, str(refused))
        return redirect("designer:version", solution.uuid, refused.draft.number)
    created = (
        _("Draft version %(number)d was created from the latest version.")
        if version.number > 1
        else _("Draft version %(number)d was created with an empty first step.")
    )
    messages.success(request, created % {"number": version.number})
    return redirect("designer:edit", solution.uuid, version.number)


@login_required
@require_GET
def designer_version(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    is_draft = version.status == VersionStatus.DRAFT
    return render(
        request,
        f"{DESIGNER}version.html",
        {
            "version": version,
            "solution": version.solution,
            "is_draft": is_draft,
            "problems": definition_problems(version.form_definition, version.options)
            if is_draft
            else [],
            "open_draft": None if is_draft else open_draft(version.solution),
            "definition_text": definition_as_text(version.form_definition),
            "events": events_for(version).select_related("actor"),
        },
    )


def _render_editor(
    request: HttpRequest,
    version: SolutionVersion,
    *,
    text: str,
    revision: str,
    problems: list[str] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        f"{DESIGNER}edit.html",
        {
            "version": version,
            "solution": version.solution,
            "text": text,
            "revision": revision,
            # Problems of a failed save go into the error summary; on a fresh page the stored
            # draft's problems (an imported one may have some) show in the live check.
            "problems": problems or [],
            "current_problems": (
                definition_problems(version.form_definition, version.options)
                if problems is None
                else problems
            ),
            "refusal": refusal,
            "editable": version.status == VersionStatus.DRAFT,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def designer_edit(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """The JSON editor of a draft: Save checks the text as the live check does and stores only
    a definition without problems; the text stays in the editor when it is refused."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    locked_message = (
        _(
            "Version %(number)d is in review and cannot be changed; the reviewer can send it "
            "back to draft."
        )
        if version.status == VersionStatus.REVIEW
        else _(
            "Version %(number)d is published and can no longer be changed. Create a new draft "
            "version to make changes."
        )
    ) % {"number": version.number}
    if request.method == "GET":
        if version.status != VersionStatus.DRAFT:
            messages.error(request, locked_message)
            return redirect("designer:version", version.solution.uuid, version.number)
        return _render_editor(
            request,
            version,
            text=definition_as_text(version.form_definition),
            revision=definition_revision(version.form_definition),
        )
    text = request.POST.get("definition", "")
    revision = request.POST.get("revision", "")
    if version.status != VersionStatus.DRAFT:
        return _render_editor(
            request, version, text=text, revision=revision, refusal=locked_message, status=409
        )
    definition, problems = read_definition_text(text, version.options)
    if problems or definition is None:
        return _render_editor(
            request, version, text=text, revision=revision, problems=problems, status=400
        )
    try:
        save_draft_definition(version, definition, actor=request.user, based_on=revision or None)
    except DefinitionError as error:
        return _render_editor(
            request, version, text=text, revision=revision, problems=error.problems, status=400
        )
    except DesignChangeRefused as refused:
        return _render_editor(
            request, version, text=text, revision=revision, refusal=str(refused), status=409
        )
    messages.success(request, _("The form definition was saved."))
    return redirect("designer:edit", version.solution.uuid, version.number)


@login_required
@require_POST
def designer_validate(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """The live check (htmx): the problems of the text in the editor, as an HTML fragment.
    It stores nothing; Save runs the same check, so the editor works without JavaScript."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    _definition, problems = read_definition_text(
        request.POST.get("definition", ""), version.options
    )
    return render(request, f"{DESIGNER}_check.html", {"current_problems": problems, "live": True})


def _show_everything(items: list[BoundItem], options: dict[str, Any]) -> None:
    """In the preview every field is shown, also those the applicant sees only under a
    condition: the designer has to see them to check them. Only what the chosen option values
    hide for every applicant stays hidden."""
    for item in items:
        item.shown = not hidden_by_options(item.definition, options)
        if isinstance(item, BoundGroup):
            _show_everything(item.children, options)
            for entry in item.items:
                _show_everything(entry, options)


def preview_steps(
    version: SolutionVersion, options: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every step of ``version``'s form bound with no answers and every field shown, for a
    preview with the option values ``options`` (the declared defaults where not given); or the
    problems that keep the definition from being previewed."""
    definition = version.form_definition
    problems = definition_problems(definition, version.options)
    steps: list[dict[str, Any]] = []
    if problems:
        return steps, problems
    options = version.resolve_options(options)
    try:
        for step in steps_of(definition):
            if hidden_by_options(step, options):
                continue
            fields = bind_step(step, {}, options)
            _show_everything(fields, options)
            steps.append({"step": step, "fields": fields, "conditional": "visible_if" in step})
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        return [], [_("The preview could not be built (%(error)s).") % {"error": error}]
    return steps, []


@login_required
@require_GET
def designer_preview(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """Every step of the version rendered with the citizen's field templates, inside a disabled
    fieldset and without a form element, so the preview can submit nothing."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    chosen = preview_options(request, version)
    steps, problems = preview_steps(version, chosen)
    return render(
        request,
        f"{DESIGNER}preview.html",
        {
            "version": version,
            "solution": version.solution,
            "problems": problems,
            "steps": steps,
            "option_fields": option_fields(version, chosen),
        },
    )


def preview_options(request: HttpRequest, version: SolutionVersion) -> dict[str, str]:
    """The option values a preview is asked for (``?option-<key>=<value>``), each declared
    option's default where none or an unknown one is asked for."""
    return version.resolve_options(
        {key: request.GET.get(f"option-{key}") for key in version.option_choices()}
    )


def option_fields(version: SolutionVersion, chosen: dict[str, str]) -> list[dict[str, Any]]:
    """The preview's option choosers: label, HTML name and choices with the chosen one."""
    return [
        {
            "name": f"option-{option['key']}",
            "label": localized(option["label"]),
            "choices": [
                {
                    "value": choice["value"],
                    "label": localized(choice["label"]),
                    "selected": chosen.get(option["key"]) == choice["value"],
                }
                for choice in option["choices"]
            ],
        }
        for option in version.options or []
    ]


def _definition_refused(request: HttpRequest, error: DefinitionError) -> None:
    messages.error(
        request,
        ngettext(
            "Not possible: the form definition has %(count)d problem. Fix it first.",
            "Not possible: the form definition has %(count)d problems. Fix them first.",
            len(error.problems),
        )
        % {"count": len(error.problems)},
    )


@login_required
@require_POST
def designer_request_review(
    request: HttpRequest, solution_uuid: object, number: int
) -> HttpResponse:
    """Send the draft to review; another designer or admin of the publisher approves it."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    try:
        request_review(version, actor=request.user)
    except DefinitionError as error:
        _definition_refused(request, error)
    except VersionChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Version %(number)d is in review. Another designer or admin approves it.")
            % {"number": version.number},
        )
    return redirect("designer:version", version.solution.uuid, version.number)


@login_required
@require_POST
def designer_return(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    try:
        return_to_draft(version, actor=request.user, note=request.POST.get("note", ""))
    except VersionChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("Version %(number)d is a draft again.") % {"number": version.number}
        )
    return redirect("designer:version", version.solution.uuid, version.number)


@login_required
@require_POST
def designer_publish(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """Approve a version in review: it is published and can no longer be changed."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    try:
        approve_version(version, actor=request.user)
    except VersionChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Version %(number)d is published. It can no longer be changed.")
            % {"number": version.number},
        )
    return redirect("designer:version", version.solution.uuid, version.number)


@login_required
@require_http_methods(["GET", "POST"])
def designer_settings(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """The settings of a draft besides its form: licence, fees, options, required update."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("Only a draft's settings can be changed."))
        return redirect("designer:version", version.solution.uuid, version.number)
    form = VersionSettingsForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            save_draft_settings(
                version,
                {name: form.cleaned_data[name] for name in form.fields},
                actor=request.user,
            )
        except ValidationError as invalid:
            for name, problems in invalid.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        except VersionChangeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("designer:version", version.solution.uuid, version.number)
    return render(
        request,
        f"{DESIGNER}settings.html",
        {"version": version, "solution": version.solution, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def designer_diff(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """What this version (also a draft) changes against the previous published one."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    previous = previous_published(version)
    return render(
        request,
        f"{DESIGNER}diff.html",
        {
            "version": version,
            "solution": version.solution,
            "previous": previous,
            "diff": diff_versions(previous, version),
            "back_url": reverse("designer:version", args=[version.solution.uuid, number]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def designer_import_package(request: HttpRequest) -> HttpResponse:
    """Upload a solution package exported by another installation."""
    municipalities = designing_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied(_("Only service designers may import solutions."))
    form = PackageUploadForm(
        request.POST or None, request.FILES or None, municipalities=municipalities
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            done = import_package(
                upload.read(MAX_PACKAGE_BYTES + 1),
                importer=form.cleaned_data["municipality"],
                actor=request.user,
            )
        except PackageRefused as refused:
            form.add_error("package", str(refused))
        else:
            messages.success(
                request,
                _(
                    "Version %(number)d of “%(name)s” was imported; another designer or admin "
                    "of %(publisher)s reviews and publishes it."
                )
                % {
                    "number": done.version.number,
                    "name": done.version.solution.name,
                    "publisher": done.version.solution.publisher,
                },
            )
            return redirect("designer:version", done.version.solution.uuid, done.version.number)
    return render(
        request,
        f"{DESIGNER}import_package.html",
        {"form": form, "limit_mb": MAX_PACKAGE_BYTES // 1024 // 1024},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def designer_fim_import(request: HttpRequest, solution_uuid: object) -> HttpResponse:
    """Upload a FIM XDatenfelder schema; it becomes a new draft version (or, confirmed, the
    form definition of the open draft), and the importer's report is shown."""
    solution = get_solution_for_designer(request.user, solution_uuid)
    draft = open_draft(solution)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        upload = request.FILES.get("schema")
        replace = request.POST.get("replace_draft") == "yes"
        if upload is None:
            errors.append(("schema", _("Choose a FIM file (.xml or .zip).")))
        elif upload.size is not None and upload.size > MAX_FIM_UPLOAD_BYTES:
            errors.append(
                (
                    "schema",
                    _("The file is larger than %(limit)d MB; refused.")
                    % {"limit": MAX_FIM_UPLOAD_BYTES // 1024 // 1024},
                )
            )
        elif draft is not None and not replace:
            errors.append(
                (
                    "replace_draft",
                    _(
                        "Version %(number)d is still a draft. Confirm that the import replaces "
                        "its form definition, or publish it first."
                    )
                    % {"number": draft.number},
                )
            )
        else:
            try:
                done = import_fim_into_draft(
                    solution,
                    upload.read(MAX_FIM_UPLOAD_BYTES + 1),
                    upload.name or "upload",
                    actor=request.user,
                    replace_draft=replace,
                )
            except FimImportError as refused:
                errors.append(("schema", _("Refused: %(error)s") % {"error": refused}))
            except DraftAlreadyOpen as refused:
                errors.append(("replace_draft", str(refused)))
            except DesignChangeRefused as refused:
                errors.append(("schema", str(refused)))
            else:
                return render(
                    request,
                    f"{DESIGNER}fim_result.html",
                    {"solution": solution, "done": done, "version": done.version},
                )
    return render(
        request,
        f"{DESIGNER}fim_import.html",
        {
            "solution": solution,
            "draft": draft,
            "errors": errors,
            "limit_mb": MAX_FIM_UPLOAD_BYTES // 1024 // 1024,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def designer_scenarios(request: HttpRequest, solution_uuid: object, number: int) -> HttpResponse:
    """Run the version's logic scenarios: one click tells whether the form still behaves as
    its designer promised."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    try:
        results = run_scenarios(version.form_definition, version.options)
        problems: list[str] = []
    except DefinitionError as broken:
        results, problems = [], broken.problems
    return render(
        request,
        f"{DESIGNER}scenarios.html",
        {
            "version": version,
            "solution": version.solution,
            "results": results,
            "problems": problems,
            "failed": sum(1 for result in results if not result.passed),
        },
    )


@login_required
@require_GET
def designer_data_schema(request: HttpRequest, solution_uuid: object, number: int) -> JsonResponse:
    """The JSON Schema of the data this version produces, for the systems that receive it."""
    version = get_solution_version_for_designer(request.user, solution_uuid, number)
    schema = data_schema(
        version.form_definition,
        solution_uuid=version.solution.uuid,
        version=version.number,
        title=version.solution.name,
    )
    response = JsonResponse(schema, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"{version.solution.slug}-v{version.number}.schema.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
