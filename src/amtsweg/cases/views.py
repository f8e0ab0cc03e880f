"""Back office: the clerk's inbox and the case view with its actions (claim, assign, hand over,
status change, deadline extension). Thin: the logic is in cases.services."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amtsweg.audit.services import events_for
from amtsweg.cases.decisions import (
    DecisionDraft,
    can_decide,
    decision_draft,
    issue_decision,
    issued_decision,
    render_decision,
    save_decision_draft,
)
from amtsweg.cases.file_responses import stored_file_response
from amtsweg.cases.forms import (
    AssignForm,
    DecisionForm,
    ExtendDeadlineForm,
    FollowUpForm,
    HandoverForm,
    InboxFilterForm,
    MessageForm,
    StatusChangeForm,
)
from amtsweg.cases.inbox import (
    FINAL_COUNT_DAYS,
    clerks_of,
    inbox_statuses,
    offerings_in,
    page_of_inbox,
)
from amtsweg.cases.mailbox import (
    can_request_follow_up,
    get_message_attachment,
    mark_replies_seen,
    messages_of,
    request_follow_up,
    send_message,
)
from amtsweg.cases.models import Case, Decision, MessageAttachment
from amtsweg.cases.services import (
    InboxFilter,
    TransitionRefused,
    access_to,
    assign_case,
    can_work_on,
    change_case_status,
    claim_case,
    extend_deadline,
    get_case_for_user,
    get_inbox_municipality,
    hand_over_case,
    handover_targets,
    is_processing_staff,
    processed_elsewhere,
    status_counts,
)
from amtsweg.forms.services import summarize
from amtsweg.submissions.attachments import attachments_of, get_attachment
from amtsweg.submissions.models import Attachment
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import municipalities_for

PAGE_SIZE = 25


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The inboxes this user may open; with only one, go straight to it."""
    municipalities = list(municipalities_for(request.user))
    if len(municipalities) == 1:
        return redirect("cases:inbox", municipality_slug=municipalities[0].slug)
    return render(request, "cases/home.html", {"municipalities": municipalities})


def _clerk_choices(municipality: Municipality) -> list[tuple[str, str]]:
    return [
        (clerk.get_username(), clerk.get_full_name() or clerk.get_username())
        for clerk in clerks_of(municipality)
    ]


@login_required
@require_GET
def inbox_page(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """The inbox with its filters; invalid filter values are shown as form errors (400) and
    left out of the query, so a bad bookmark still shows a page."""
    municipality = get_inbox_municipality(request.user, municipality_slug)
    statuses, final = inbox_statuses(municipality)
    form = InboxFilterForm(
        request.GET,
        offerings=[(str(o.uuid), o.title) for o in offerings_in(municipality)],
        statuses=statuses,
        clerks=_clerk_choices(municipality),
    )
    valid = form.is_valid()
    chosen = InboxFilter.from_cleaned(form.cleaned_data)
    counts = status_counts(municipality, chosen, request.user)
    page = page_of_inbox(municipality, chosen, request.user, request.GET.get("page"), PAGE_SIZE)
    today = timezone.localdate()
    for case in page.object_list:
        case.overdue_today = case.is_overdue(today)
    labels = dict(statuses)
    query = request.GET.copy()
    query.pop("page", None)
    without_status = query.copy()
    without_status.pop("status", None)
    return render(
        request,
        "cases/inbox.html",
        {
            "municipality": municipality,
            "form": form,
            "page": page,
            "status": chosen.status,
            "status_counts": [
                (value, labels.get(value, value), counts.get(value, 0)) for value in labels
            ],
            "final_statuses": final,
            "final_count_days": FINAL_COUNT_DAYS,
            "open_total": counts.open,
            "query": query.urlencode(),
            "query_without_status": without_status.urlencode(),
        },
        status=200 if valid else 400,
    )


@login_required
@require_GET
def ikz_cases(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """The municipality's cases that another member of its cluster processes (IKZ): to look
    at, not to work on (the processing municipality's inbox holds them)."""
    municipality = get_inbox_municipality(request.user, municipality_slug)
    page = Paginator(processed_elsewhere(municipality), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/ikz_cases.html",
        {"municipality": municipality, "page": page, "today": timezone.localdate()},
    )


def _handover_choices(case: Case) -> list[tuple[str, str]]:
    return [(m.slug, m.short_name) for m in handover_targets(case)] if case.is_open else []


def _render_case(
    request: HttpRequest, case: Case, form: Form | None = None, status: int = 200
) -> HttpResponse:
    """The case view; ``form`` is a submitted action form to show again with its errors."""
    submission = case.submission
    workflow = case.workflow
    forms: dict[str, Form] = {
        "form": StatusChangeForm(
            allowed=workflow.next_statuses(case.status),
            labels={key: workflow.label(key) for key in workflow.statuses},
        ),
        "assign_form": AssignForm(
            clerks=_clerk_choices(case.municipality),
            initial={"assignee": case.assignee.get_username() if case.assignee else ""},
        ),
        "handover_form": HandoverForm(targets=_handover_choices(case)),
        "extend_form": ExtendDeadlineForm(),
        "message_form": MessageForm(),
        "follow_up_form": FollowUpForm(),
    }
    if form is not None:
        forms[next(name for name, f in forms.items() if type(f) is type(form))] = form
    access = access_to(request.user, case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "submission": submission,
            "can_request_follow_up": can_request_follow_up(case),
            "sections": summarize(
                submission.solution_version.form_definition,
                submission.data,
                submission.form_options,
            ),
            "attachments": attachments_of(submission),
            "history": case.status_entries.select_related("actor"),
            "extensions": case.extensions.select_related("actor"),
            "mail_attempts": list(case.mail_attempts.all()),
            "thread": messages_of(case),
            "events": (events_for(case) | events_for(submission)).select_related("actor"),
            "can_work": access.can_work,
            "can_open_files": access.can_open_files,
            "can_assign": access.is_admin or case.assignee_id == request.user.pk,
            "today": timezone.localdate(),
            **forms,
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, case_uuid: object) -> HttpResponse:
    return _render_case(request, get_case_for_user(request.user, case_uuid))


def _processing_case(request: HttpRequest, case_uuid: object) -> Case:
    """The case, if the user belongs to the municipality processing it: the applicant's files
    are for the processing office, not for the offering municipality that only looks on."""
    case = get_case_for_user(request.user, case_uuid)
    if not is_processing_staff(request.user, case):
        raise Http404(_("No such attachment."))
    return case


@login_required
@require_GET
def attachment(request: HttpRequest, case_uuid: object, attachment_uuid: object) -> HttpResponse:
    """Download one attachment of a case the user processes."""
    case = _processing_case(request, case_uuid)
    return file_download(get_attachment(case.submission, attachment_uuid))


@login_required
@require_GET
def attachment_preview(
    request: HttpRequest, case_uuid: object, attachment_uuid: object
) -> HttpResponse:
    """One attachment shown in the browser (PDF, PNG, JPEG); any other type downloads."""
    case = _processing_case(request, case_uuid)
    return stored_file_response(get_attachment(case.submission, attachment_uuid), inline=True)


@login_required
@require_GET
def message_attachment(
    request: HttpRequest, case_uuid: object, attachment_uuid: object
) -> HttpResponse:
    """Download a file sent with one of the case's messages."""
    case = _processing_case(request, case_uuid)
    return file_download(get_message_attachment(case, attachment_uuid))


@login_required
@require_GET
def message_attachment_preview(
    request: HttpRequest, case_uuid: object, attachment_uuid: object
) -> HttpResponse:
    """A file sent with a message, shown in the browser where its type allows."""
    case = _processing_case(request, case_uuid)
    return stored_file_response(get_message_attachment(case, attachment_uuid), inline=True)


def file_download(stored: Attachment | MessageAttachment) -> FileResponse:
    """A stored upload as a download under a cleaned name (``cases.file_responses``)."""
    return stored_file_response(stored)


@login_required
@require_POST
def claim(request: HttpRequest, case_uuid: object) -> HttpResponse:
    case = _workable_case(request, case_uuid)
    claim_case(case, actor=request.user)
    messages.success(request, _("You are now working on this case."))
    return redirect("cases:detail", case_uuid=case.uuid)


def _workable_case(request: HttpRequest, case_uuid: object) -> Case:
    """The case if the user may change it: 404 when they may not even see it (as everywhere),
    403 when they may only look (read-only staff, the offering municipality under IKZ)."""
    case = get_case_for_user(request.user, case_uuid)
    if not can_work_on(request.user, case):
        raise PermissionDenied(_("You may view this case but not change it."))
    return case


def _act(
    request: HttpRequest, case: Case, form: Form, action: Callable[[], object], done: str
) -> HttpResponse:
    """Run one case action from its form: invalid input is shown again (400), a refusal by the
    service becomes a form error (409)."""
    if not form.is_valid():
        return _render_case(request, case, form, status=400)
    try:
        action()
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return _render_case(request, case, form, status=409)
    messages.success(request, done)
    return redirect("cases:detail", case_uuid=case.uuid)


@login_required
@require_POST
def change_status(request: HttpRequest, case_uuid: object) -> HttpResponse:
    case = _workable_case(request, case_uuid)
    workflow = case.workflow
    form = StatusChangeForm(
        request.POST,
        allowed=workflow.next_statuses(case.status),
        labels={key: workflow.label(key) for key in workflow.statuses},
    )
    return _act(
        request,
        case,
        form,
        lambda: change_case_status(
            case,
            form.cleaned_data["status"],
            actor=request.user,
            comment=form.cleaned_data["comment"],
            result=form.cleaned_data["result"],
        ),
        _("The status was changed."),
    )


@login_required
@require_POST
def assign(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """Assign to a named clerk, reassign, or unassign (empty choice)."""
    case = _workable_case(request, case_uuid)
    form = AssignForm(request.POST, clerks=_clerk_choices(case.municipality))

    def action() -> None:
        username = form.cleaned_data["assignee"]
        assignee = clerks_of(case.municipality).filter(username=username).first()
        assign_case(case, assignee, actor=request.user)

    return _act(request, case, form, action, _("The assignment was changed."))


@login_required
@require_POST
def handover(request: HttpRequest, case_uuid: object) -> HttpResponse:
    case = _workable_case(request, case_uuid)
    targets = {m.slug: m for m in handover_targets(case)} if case.is_open else {}
    form = HandoverForm(
        request.POST, targets=[(slug, m.short_name) for slug, m in targets.items()]
    )
    moved: list[Case] = []
    response = _act(
        request,
        case,
        form,
        lambda: moved.append(
            hand_over_case(case, targets[form.cleaned_data["municipality"]], actor=request.user)
        ),
        _("The case was handed over."),
    )
    if moved and not can_work_on(request.user, moved[0]):
        # The case left this user's municipality: back to their inboxes.
        return redirect("cases:home")
    return response


@login_required
@require_POST
def extend(request: HttpRequest, case_uuid: object) -> HttpResponse:
    case = _workable_case(request, case_uuid)
    form = ExtendDeadlineForm(request.POST)
    return _act(
        request,
        case,
        form,
        lambda: extend_deadline(
            case,
            form.cleaned_data["deadline"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        ),
        _("The deadline was extended."),
    )


@login_required
@require_POST
def message(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """Send a message to the applicant's mailbox."""
    case = _workable_case(request, case_uuid)
    form = MessageForm(request.POST)
    return _act(
        request,
        case,
        form,
        lambda: send_message(
            case, form.cleaned_data["subject"], form.cleaned_data["body"], actor=request.user
        ),
        _("The message was sent. The applicant is told by e-mail that it is waiting."),
    )


@login_required
@require_POST
def follow_up(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """Ask the applicant for missing items by a due date; the case waits for them."""
    case = _workable_case(request, case_uuid)
    form = FollowUpForm(request.POST)
    return _act(
        request,
        case,
        form,
        lambda: request_follow_up(
            case,
            form.cleaned_data["subject"],
            form.cleaned_data["body"],
            form.cleaned_data["due_date"],
            actor=request.user,
        ),
        _("The follow-up request was sent; the deadline clock stops until the answer."),
    )


@login_required
@require_POST
def replies_seen(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """The clerk has read the applicant's answers: the inbox flag goes."""
    case = _workable_case(request, case_uuid)
    mark_replies_seen(case, actor=request.user)
    messages.success(request, _("The answers are marked as read."))
    return redirect("cases:detail", case_uuid=case.uuid)


def _render_decision_page(
    request: HttpRequest,
    case: Case,
    form: DecisionForm,
    status: int = 200,
    saved: Decision | None = None,
) -> HttpResponse:
    return render(
        request,
        "cases/decision.html",
        {
            "case": case,
            "submission": case.submission,
            "form": form,
            "issued": issued_decision(case),
            "can_decide": can_decide(case),
            "saved": saved,
        },
        status=status,
    )


@login_required
@require_GET
def decision(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """The decision form (outcome, reasoning, conditions, fee), or the issued decision."""
    case = _workable_case(request, case_uuid)
    saved = decision_draft(case)
    initial = {"fee": case.submission.offering.fee}
    if saved is not None:
        initial = {
            "outcome": saved.outcome,
            "reasoning": saved.reasoning,
            "conditions": saved.conditions,
            "fee": saved.fee,
        }
    form = DecisionForm(initial=initial)
    return _render_decision_page(request, case, form, saved=saved)


def _save_draft(request: HttpRequest, case: Case, form: DecisionForm) -> None:
    data = form.cleaned_data
    save_decision_draft(
        case,
        actor=request.user,
        outcome=data["outcome"] or "",
        reasoning=data["reasoning"] or "",
        conditions=data["conditions"] or "",
        fee=data["fee"],
    )


@login_required
@require_POST
def decision_save_draft(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """Keep the decision as written so far ("Entwurf speichern"), for the next visit."""
    case = _workable_case(request, case_uuid)
    form = DecisionForm(request.POST, draft=True)
    if not form.is_valid():
        return _render_decision_page(request, case, form, status=400)
    try:
        _save_draft(request, case, form)
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return _render_decision_page(request, case, form, status=409)
    messages.success(request, _("The draft of the decision was saved."))
    return redirect("cases:decision", case_uuid=case.uuid)


def _draft_of(form: DecisionForm) -> DecisionDraft:
    data = form.cleaned_data
    return DecisionDraft(data["outcome"], data["reasoning"], data["conditions"], data["fee"])


@login_required
@require_POST
def decision_preview(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """The decision as it would be issued now, marked as a draft, as a download; nothing is
    stored (the clerk may preview as often as they like)."""
    case = _workable_case(request, case_uuid)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_decision_page(request, case, form, status=400)
    try:
        draft = _draft_of(form).checked(case)
        _save_draft(request, case, form)  # what the clerk previews is kept for next time
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return _render_decision_page(request, case, form, status=409)
    rendered = render_decision(case, draft, issued_at=timezone.now(), preview=True)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    reference = case.submission.reference_number or case.uuid
    response["Content-Disposition"] = f'attachment; filename="Bescheid-Entwurf-{reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def decision_issue(request: HttpRequest, case_uuid: object) -> HttpResponse:
    """Issue the decision: stored with the case and delivered to the applicant."""
    case = _workable_case(request, case_uuid)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_decision_page(request, case, form, status=400)
    draft = _draft_of(form)
    try:
        issue_decision(
            case,
            actor=request.user,
            outcome=draft.outcome,
            reasoning=draft.reasoning,
            conditions=draft.conditions,
            fee=draft.fee,
        )
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return _render_decision_page(request, case, form, status=409)
    messages.success(request, _("The decision was issued and delivered to the applicant."))
    return redirect("cases:detail", case_uuid=case.uuid)
