"""Citizen portal: the online assistant from the first step to the confirmation, and the
status page reached with reference number and access code."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amtsweg.cases.services import public_status_history
from amtsweg.catalog.services import get_live_offering, get_municipality
from amtsweg.forms.services import (
    BoundField,
    BoundGroup,
    BoundItem,
    applicant_attributes,
    bind_step,
    change_entries,
    lock_answers,
    mark_locked,
    step_index,
    steps_of,
    summarize,
    validate_step,
    visible_steps,
    with_prefill,
)
from amtsweg.identity.bundid.identity import Prefill
from amtsweg.identity.bundid.services import current_citizen, prefill_for, trust_redirect
from amtsweg.lib.urls import shared_link
from amtsweg.submissions import drafts
from amtsweg.submissions.attachments import asks_for_files, receive_uploads
from amtsweg.submissions.forms import ResumeEmailForm, StatusLookupForm
from amtsweg.submissions.models import Submission
from amtsweg.submissions.resume import find_resumable_draft
from amtsweg.submissions.services import (
    ResumeMailTooSoon,
    SubmissionIncomplete,
    find_submission_by_reference,
    missing_steps,
    record_applicant,
    request_resume_mail,
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
    offering_page = shared_link("catalog:offering", municipality_slug, offering_slug)
    if login := trust_redirect(request, offering.solution_version.trust_level, offering_page):
        return login
    draft = start_draft(offering)
    record_applicant(draft, current_citizen(request))
    drafts.remember(request, draft)
    first_step = steps_of(draft.solution_version.form_definition)[0]["key"]
    return redirect("submissions:step", draft_uuid=draft.uuid, step_key=first_step)


def _needs_login(request: HttpRequest, draft: Submission) -> HttpResponse | None:
    """The BundID log-in when the draft's solution needs a higher trust level than this
    session has; afterwards the citizen comes back to this page."""
    return trust_redirect(request, draft.solution_version.trust_level, request.get_full_path())


def _prefill(request: HttpRequest, draft: Submission) -> Prefill:
    """What fields may be prefilled from (the logged-in citizen's attributes, else nothing),
    and which of them are trusted enough for the solution's level to be locked."""
    return prefill_for(request, draft.solution_version.trust_level)


def _journey_context(
    draft: Submission, current: int | None, steps: list[dict[str, Any]] | None = None
) -> dict[str, object]:
    """What the pages of a draft share; ``steps``, the visible ones, when the caller has
    worked them out already."""
    if steps is None:
        steps = visible_steps(
            draft.solution_version.form_definition, draft.data, draft.form_options
        )
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
    if login := _needs_login(request, draft):
        return login
    definition = draft.solution_version.form_definition
    if step_index(definition, step_key) is None:
        raise Http404(_("This form has no such step."))
    steps = visible_steps(definition, draft.data, draft.form_options)
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
    prefill = _prefill(request, draft)

    errors: list[object] = []
    messages: list[str] = []
    if request.method == "POST":
        raw = {name: request.POST.getlist(name) for name in request.POST}
        lock_answers(current, raw, prefill.values, prefill.lockable)  # the identity's only
        receive_uploads(draft, current, raw, request.FILES)  # before "remove entry" renumbers
        entry_action = change_entries(current, raw, request.POST)
        result = validate_step(current, raw, draft.data, draft.form_options)
        if entry_action:  # "add another" / "remove": show the step again, check nothing yet
            fields = result.fields
            for bound in result.errors:
                bound.error = ""
        elif result.is_valid:
            save_step(draft, current["key"], result.values)
            following = visible_steps(definition, draft.data, draft.form_options)
            after = [s["key"] for s in following]
            position = after.index(current["key"]) + 1 if current["key"] in after else len(after)
            if return_to_summary or position >= len(after):
                return redirect("submissions:summary", draft_uuid=draft.uuid)
            return redirect("submissions:step", draft_uuid=draft.uuid, step_key=after[position])
        else:
            fields, errors, messages = result.fields, result.errors, result.messages
    else:
        shown = with_prefill(current, draft.data, prefill.values, prefill.lockable)
        fields = bind_step(current, shown, draft.form_options)
    mark_locked(fields, current, prefill.values, prefill.lockable)

    context = _journey_context(draft, index, steps)
    context.update(
        {
            "step": current,
            "fields": fields,
            "errors": errors,
            "messages_for_step": messages,
            "error_count": len(errors) + len(messages),
            "previous_step": steps[index - 1] if index else None,
            "return_to_summary": return_to_summary,
            "validate_url": reverse("submissions:validate_field", args=[draft.uuid, step_key]),
            "asks_for_files": asks_for_files(current),
        }
    )
    return render(request, "submissions/step.html", context)


def _find_field(items: list[BoundItem], name: str) -> BoundField | None:
    """The bound field with HTML name ``name`` anywhere in a step (groups and their entries)."""
    for item in items:
        if isinstance(item, BoundField) and item.name == name:
            return item
        if isinstance(item, BoundGroup):
            nested = [*item.children, *(child for entry in item.items for child in entry)]
            if found := _find_field(nested, name):
                return found
    return None


@require_http_methods(["POST"])
def validate_field(request: HttpRequest, draft_uuid: object, step_key: str) -> HttpResponse:
    """htmx's inline check of one field (``_field``): the whole step is checked as when it is
    sent, with the same validators and rules, nothing is saved, and the field's fragment comes
    back with its error, plus the text for the page's live region. A request without htmx
    (it has no use for a fragment) goes to the step page."""
    draft = drafts.get_owned_submission(request, draft_uuid)
    if draft.is_submitted or request.headers.get("HX-Request") != "true":
        return redirect("submissions:step", draft_uuid=draft.uuid, step_key=step_key)
    if _needs_login(request, draft):
        return HttpResponse(status=403)
    definition = draft.solution_version.form_definition
    steps = visible_steps(definition, draft.data, draft.form_options)
    current = next((s for s in steps if s["key"] == step_key), None)
    if current is None:
        raise Http404(_("This form has no such step."))
    prefill = _prefill(request, draft)
    raw = {name: request.POST.getlist(name) for name in request.POST if name != "_field"}
    lock_answers(current, raw, prefill.values, prefill.lockable)
    receive_uploads(draft, current, raw, MultiValueDict())  # files only as stored, none new
    result = validate_step(current, raw, draft.data, draft.form_options)
    mark_locked(result.fields, current, prefill.values, prefill.lockable)
    field = _find_field(result.fields, request.POST.get("_field", ""))
    if field is None:
        raise Http404(_("This step has no such field."))
    return render(
        request,
        "submissions/_validated_field.html",
        {"field": field, "validate_url": request.path},
    )


@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, draft_uuid: object) -> HttpResponse:
    """The answers of every step with change links; its button submits the application."""
    draft = drafts.get_owned_submission(request, draft_uuid)
    if draft.is_submitted:
        return redirect("submissions:confirmation", draft_uuid=draft.uuid)
    if login := _needs_login(request, draft):
        return login
    problems: dict[str, str] = {}
    if request.method == "POST":
        record_applicant(draft, current_citizen(request))
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
    steps = visible_steps(definition, draft.data, draft.form_options)
    context = _journey_context(draft, None, steps)
    context.update(
        {
            "sections": summarize(definition, draft.data, draft.form_options),
            "missing_steps": [s for s in steps if s["key"] not in draft.completed_steps],
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
        drafts.remember(request, submission)  # lets this session download the receipt
        context["history"] = public_status_history(submission)
        context["case"] = submission.case
    return render(request, "submissions/status.html", context)


def _continue_url(draft: Submission, step_key: str = "") -> str:
    """Where the applicant goes on: the step they came from, else the first step they have not
    completed, else the summary."""
    visible = [
        s["key"]
        for s in visible_steps(
            draft.solution_version.form_definition, draft.data, draft.form_options
        )
    ]
    if step_key in visible:
        return reverse("submissions:step", args=[draft.uuid, step_key])
    if missing := missing_steps(draft):
        return reverse("submissions:step", args=[draft.uuid, missing[0]])
    return reverse("submissions:summary", args=[draft.uuid])


@require_http_methods(["GET", "POST"])
def save_for_later(request: HttpRequest, draft_uuid: object) -> HttpResponse:
    """Ask for an e-mail address and have the draft's resume link sent there.

    This is the way back for anonymous applicants. Drafts of citizens logged in with BundID
    (a later issue) will be kept in their account and need no e-mail; see ``resume_url_for``.
    """
    draft = drafts.get_owned_submission(request, draft_uuid)
    if draft.is_submitted:
        return redirect("submissions:confirmation", draft_uuid=draft.uuid)
    came_from = request.GET.get("from", "")
    definition = draft.solution_version.form_definition
    initial = {"email": applicant_attributes(definition, draft.data).get("email", "")}
    form = ResumeEmailForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            request_resume_mail(
                draft, email=form.cleaned_data["email"], language=get_language() or "de"
            )
        except ResumeMailTooSoon:
            form.add_error(
                None,
                _(
                    "We sent a link for this application less than a minute ago. Please look "
                    "in your inbox and your spam folder, or try again in a minute."
                ),
            )
            status = 429
        else:
            sent = reverse("submissions:resume_mail_sent", args=[draft.uuid])
            return redirect(f"{sent}?{urlencode({'from': came_from})}" if came_from else sent)
    context = _journey_context(draft, None)
    context.update(
        {
            "form": form,
            "back_url": _continue_url(draft, came_from),
            "expires_at": draft.draft_expires_at,
        }
    )
    return render(request, "submissions/save_for_later.html", context, status=status)


def resume_mail_sent(request: HttpRequest, draft_uuid: object) -> HttpResponse:
    """Confirms where the link went; the applicant may close the browser now."""
    draft = drafts.get_owned_submission(request, draft_uuid)
    link = draft.resume_links.first()
    if draft.is_submitted or link is None:
        return redirect("submissions:save_for_later", draft_uuid=draft.uuid)
    context = _journey_context(draft, None)
    context.update(
        {
            "link": link,
            "expires_at": draft.draft_expires_at,
            "back_url": _continue_url(draft, request.GET.get("from", "")),
        }
    )
    return render(request, "submissions/resume_mail_sent.html", context)


@never_cache
@require_http_methods(["GET"])
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """Open an e-mailed resume link: the draft joins this browser session and the applicant
    goes on at the first step not yet completed. The token's page is only a redirect, so it
    stays out of the history of the pages shown."""
    draft = find_resumable_draft(token)
    if draft is None:
        return render(
            request,
            "submissions/resume_invalid.html",
            {"draft_days": settings.AMTSWEG_DRAFT_DAYS},
            status=404,
        )
    if draft.citizen_id is not None:  # kept in a citizen's account: their log-in opens it
        return redirect("citizen:resume_draft", draft_uuid=draft.uuid)
    drafts.remember(request, draft)
    return redirect(_continue_url(draft))
