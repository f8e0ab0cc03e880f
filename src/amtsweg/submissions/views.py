"""Citizen portal: the online assistant from the first step to the confirmation, and the
status page reached with reference number and access code."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amtsweg.cases.services import public_status_history
from amtsweg.catalog.services import get_live_offering, get_municipality
from amtsweg.forms.services import (
    bind_step,
    change_entries,
    step_index,
    steps_of,
    summarize,
    validate_step,
    visible_steps,
)
from amtsweg.submissions import drafts
from amtsweg.submissions.attachments import receive_uploads
from amtsweg.submissions.forms import StatusLookupForm
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import (
    SubmissionIncomplete,
    find_submission_by_reference,
    missing_steps,
    save_step,
    start_draft,
    submit_application,
)

ACCESS_CODES_KEY = "amtsweg_access_codes"
RETURN_TO_SUMMARY = "summary"


@require_http_methods(["POST"])
def start(request: HttpRequest, municipality_slug: str, offering_slug: str) -> HttpResponse:
    """Open a draft for the service and go to its first step."""
    offering = get_live_offering(get_municipality(municipality_slug), offering_slug)
    draft = start_draft(offering)
    drafts.remember(request, draft)
    first_step = steps_of(draft.solution_version.form_definition)[0]["key"]
    return redirect("submissions:step", draft_uuid=draft.uuid, step_key=first_step)


def _journey_context(draft: Submission, current: int | None) -> dict[str, object]:
    steps = visible_steps(draft.solution_version.form_definition, draft.data)
    return {
        "draft": draft,
        "offering": draft.offering,
        "municipality": draft.offering.municipality,
        "steps": steps,
        "current_index": current,
        "completed": set(draft.completed_steps),
    }


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, draft_uuid: object, step_key: str) -> HttpResponse:
    draft = drafts.get_owned_submission(request, draft_uuid)
    if draft.is_submitted:
        return redirect("submissions:confirmation", draft_uuid=draft.uuid)
    definition = draft.solution_version.form_definition
    if step_index(definition, step_key) is None:
        raise Http404(_("This form has no such step."))
    steps = visible_steps(definition, draft.data)
    keys = [s["key"] for s in steps]
    if step_key not in keys:  # a step the answers so far have made unnecessary
        return redirect("submissions:summary", draft_uuid=draft.uuid)
    index = keys.index(step_key)
    first_missing = next(
        (position for position, key in enumerate(keys) if key not in draft.completed_steps),
        len(keys),
    )
    if index > first_missing:
        return redirect("submissions:step", draft_uuid=draft.uuid, step_key=keys[first_missing])
    current = steps[index]
    return_to_summary = request.GET.get("return") == RETURN_TO_SUMMARY

    errors: list[object] = []
    messages: list[str] = []
    if request.method == "POST":
        raw = {name: request.POST.getlist(name) for name in request.POST}
        receive_uploads(draft, current, raw, request.FILES)  # before "remove entry" renumbers
        entry_action = change_entries(current, raw, request.POST)
        result = validate_step(current, raw, draft.data)
        if entry_action:  # "add another" / "remove": show the step again, check nothing yet
            fields = result.fields
            for bound in result.errors:
                bound.error = ""
        elif result.is_valid:
            save_step(draft, current["key"], result.values)
            following = visible_steps(definition, draft.data)
            after = [s["key"] for s in following]
            position = after.index(current["key"]) + 1 if current["key"] in after else len(after)
            if return_to_summary or position >= len(after):
                return redirect("submissions:summary", draft_uuid=draft.uuid)
            return redirect("submissions:step", draft_uuid=draft.uuid, step_key=after[position])
        else:
            fields, errors, messages = result.fields, result.errors, result.messages
    else:
        fields = bind_step(current, draft.data)

    context = _journey_context(draft, index)
    context.update(
        {
            "steps": steps,
            "step": current,
            "fields": fields,
            "errors": errors,
            "messages_for_step": messages,
            "previous_step": steps[index - 1] if index else None,
            "return_to_summary": return_to_summary,
        }
    )
    return render(request, "submissions/step.html", context)


@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, draft_uuid: object) -> HttpResponse:
    """The answers of every step with change links; its button submits the application."""
    draft = drafts.get_owned_submission(request, draft_uuid)
    if draft.is_submitted:
        return redirect("submissions:confirmation", draft_uuid=draft.uuid)
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            receipt = submit_application(draft, language=get_language() or "de")
        except SubmissionIncomplete as incomplete:
            problems = incomplete.problems
        else:
            if receipt.access_code:
                codes = request.session.get(ACCESS_CODES_KEY, {})
                codes[str(receipt.submission.uuid)] = receipt.access_code
                request.session[ACCESS_CODES_KEY] = codes
            return redirect("submissions:confirmation", draft_uuid=receipt.submission.uuid)
    definition = draft.solution_version.form_definition
    context = _journey_context(draft, None)
    context.update(
        {
            "sections": summarize(definition, draft.data),
            "missing_steps": [
                s
                for s in visible_steps(definition, draft.data)
                if s["key"] in missing_steps(draft)
            ],
            "problems": problems,
        }
    )
    return render(request, "submissions/summary.html", context)


def confirmation(request: HttpRequest, draft_uuid: object) -> HttpResponse:
    submission = drafts.get_owned_submission(request, draft_uuid)
    if not submission.is_submitted:
        return redirect("submissions:summary", draft_uuid=submission.uuid)
    access_code = request.session.get(ACCESS_CODES_KEY, {}).get(str(submission.uuid))
    return render(
        request,
        "submissions/confirmation.html",
        {
            "submission": submission,
            "offering": submission.offering,
            "municipality": submission.offering.municipality,
            "access_code": access_code,
        },
    )


@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Reference number + access code → the application's status. POST keeps the code out of
    URLs, browser history and server logs."""
    form = StatusLookupForm(request.POST or None)
    submission = None
    if request.method == "POST" and form.is_valid():
        submission = find_submission_by_reference(
            form.cleaned_data["reference_number"], form.cleaned_data["access_code"]
        )
        if submission is None:
            form.add_error(
                None,
                _(
                    "We found no application with this reference number and access code. "
                    "Check both against your confirmation and try again."
                ),
            )
    context: dict[str, object] = {"form": form, "submission": submission}
    if submission is not None:
        context["history"] = public_status_history(submission)
        context["case"] = submission.case
    return render(request, "submissions/status.html", context)
