"""The back office's forms: inbox filters (GET) and the case actions (POST)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.cases.inbox import DUE_SOON, MINE, OVERDUE, SORTS, UNASSIGNED
from amtsweg.cases.models import CaseResult, DecisionOutcome
from amtsweg.lib.kern_forms import KernFormMixin

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class InboxFilterForm(KernFormMixin, forms.Form):
    """Every inbox filter as a GET parameter, so a filtered inbox is a link to share or
    bookmark, and the page works without JavaScript. Choices come from the inbox itself."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    offering = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    deadline = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("any")),
            (OVERDUE, _("overdue")),
            (DUE_SOON, _("due within 3 days")),
        ],
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-received", _("received, newest first")),
            ("received", _("received, oldest first")),
            ("deadline", _("deadline, earliest first")),
            ("status", _("status")),
            ("reference", _("reference number")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        offerings: Sequence[tuple[str, str]] = (),
        statuses: Sequence[tuple[str, str]] = (),
        clerks: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [("", _("all services")), *offerings]
        self.fields["status"].choices = [("", _("all statuses")), *statuses]
        self.fields["assignee"].choices = [
            ("", _("anyone")),
            (MINE, _("my cases")),
            (UNASSIGNED, _("unassigned")),
            *clerks,
        ]
        assert set(dict(self.fields["sort"].choices)) <= set(SORTS)
        for name in ("offering", "status", "assignee", "deadline", "sort"):
            self.fields[name].widget.template_name = "cases/widgets/inbox_select.html"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start: date | None = data.get("received_from")
        end: date | None = data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end of the date range is before its start."))
        return data


class StatusChangeForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    result = forms.ChoiceField(
        label=_("Result (needed to close the case)"),
        required=False,
        choices=[("", "–"), *[c for c in CaseResult.choices if c[0] != CaseResult.WITHDRAWN]],
    )
    comment = forms.CharField(
        label=_("Comment (internal)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        allowed: tuple[str, ...] = (),
        labels: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = labels or {}
        self.fields["status"].choices = [(value, labels.get(value, value)) for value in allowed]


class AssignForm(KernFormMixin, forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args: Any, clerks: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("nobody (unassign)")), *clerks]


class HandoverForm(KernFormMixin, forms.Form):
    municipality = forms.ChoiceField(label=_("Hand over to"))

    def __init__(self, *args: Any, targets: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = targets


class ExtendDeadlineForm(KernFormMixin, forms.Form):
    deadline = forms.DateField(
        label=_("New deadline"), input_formats=DATE_FORMATS, widget=DateInput()
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MessageForm(KernFormMixin, forms.Form):
    """A message from the office to the applicant's mailbox."""

    prefix = "message"
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )


class FollowUpForm(MessageForm):
    """A follow-up request (Nachforderung): what is missing, and by when."""

    prefix = "follow_up"
    due_date = forms.DateField(
        label=_("Answer due by"), input_formats=DATE_FORMATS, widget=DateInput()
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the content checks are
    ``cases.mailbox``'s, this only passes the list on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class AnswerForm(KernFormMixin, forms.Form):
    """The applicant's answer to a follow-up request. The files are checked by
    ``cases.mailbox.answer_follow_up`` (by content, size and count), not here, so that the
    checks are the same ones the form uploads pass."""

    body = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("PDF, PNG or JPEG; up to 5 files of at most 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class WithdrawForm(KernFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I withdraw this application. I understand that this cannot be undone."),
    )


class DecisionForm(KernFormMixin, forms.Form):
    """The variable parts of a decision; the same form saves the draft, previews and issues.

    ``draft=True`` (saving the draft) lets every part be empty: a clerk may stop halfway."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices)
    reasoning = forms.CharField(label=_("Reasoning"), widget=forms.Textarea, max_length=20_000)
    conditions = forms.CharField(
        label=_("Conditions (optional)"), widget=forms.Textarea, required=False, max_length=20_000
    )
    fee = forms.DecimalField(
        label=_("Fee (EUR)"), min_value=0, max_digits=9, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, draft: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if draft:
            for field in self.fields.values():
                field.required = False
            self.fields["outcome"].choices = [("", "–"), *DecisionOutcome.choices]
