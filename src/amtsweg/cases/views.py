"""Back office: the clerk's inbox and case view with its attachments, claim and status change."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amtsweg.audit.services import events_for
from amtsweg.cases import workflow
from amtsweg.cases.forms import StatusChangeForm
from amtsweg.cases.models import CaseStatus
from amtsweg.cases.services import (
    TransitionRefused,
    can_work_on,
    change_case_status,
    claim_case,
    get_case_for_user,
    get_inbox_municipality,
    inbox,
    status_counts,
)
from amtsweg.forms.services import summarize
from amtsweg.submissions.attachments import attachments_of, download_name, get_attachment
from amtsweg.tenants.services import municipalities_for

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The inboxes this user may open; with only one, go straight to it."""
    municipalities = list(municipalities_for(request.user))
    if len(municipalities) == 1:
        return redirect("cases:inbox", municipality_slug=municipalities[0].slug)
    return render(request, "cases/home.html", {"municipalities": municipalities})


@login_required
@require_GET
def inbox_page(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    municipality = get_inbox_municipality(request.user, municipality_slug)
    status = request.GET.get("status", "")
    if status not in CaseStatus.values:
        status = ""
    page = Paginator(inbox(municipality, status), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts(municipality)
    return render(
        request,
        "cases/inbox.html",
        {
            "municipality": municipality,
            "page": page,
            "status": status,
            "status_counts": [
                (value, CaseStatus(value).label, counts[value]) for value in CaseStatus.values
            ],
            "total": sum(counts.values()),
        },
    )


def _render_case(
    request: HttpRequest, case: object, form: StatusChangeForm | None = None, status: int = 200
) -> HttpResponse:
    submission = case.submission
    allowed = workflow.next_statuses(case.status)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "submission": submission,
            "sections": summarize(submission.solution_version.form_definition, submission.data),
            "attachments": attachments_of(submission),
            "history": case.status_entries.select_related("actor"),
            "events": (events_for(case) | events_for(submission)).select_related("actor"),
            "can_work": can_work_on(request.user, case),
            "form": form or StatusChangeForm(allowed=allowed),
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, case_uuid: object) -> HttpResponse:
    return _render_case(request, get_case_for_user(request.user, case_uuid))


@login_required
@require_GET
def attachment(request: HttpRequest, case_uuid: object, attachment_uuid: object) -> HttpResponse:
    """Download one attachment of a case the user may see.

    Always as a download under a cleaned name, with the type found in the file's content and
    ``nosniff``, so that a file can never run as a page of this site; no caching of personal
    data on the way.
    """
    case = get_case_for_user(request.user, case_uuid)
    stored = get_attachment(case.submission, attachment_uuid)
    try:
        content = stored.file.open("rb")
    except FileNotFoundError:
        logger.error("Attachment %s has no file at %s in the storage", stored.uuid, stored.file)
        raise Http404(_("The file of this attachment is missing from the storage.")) from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=download_name(stored),
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def claim(request: HttpRequest, case_uuid: object) -> HttpResponse:
    case = get_case_for_user(request.user, case_uuid)
    claim_case(case, actor=request.user)
    messages.success(request, _("You are now working on this case."))
    return redirect("cases:detail", case_uuid=case.uuid)


@login_required
@require_POST
def change_status(request: HttpRequest, case_uuid: object) -> HttpResponse:
    case = get_case_for_user(request.user, case_uuid)
    form = StatusChangeForm(request.POST, allowed=workflow.next_statuses(case.status))
    if not form.is_valid():
        return _render_case(request, case, form, status=400)
    try:
        change_case_status(
            case,
            form.cleaned_data["status"],
            actor=request.user,
            comment=form.cleaned_data["comment"],
        )
    except TransitionRefused as refused:
        form.add_error("status", str(refused))
        return _render_case(request, case, form, status=409)
    messages.success(request, _("The status was changed."))
    return redirect("cases:detail", case_uuid=case.uuid)
