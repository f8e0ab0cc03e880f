from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.cases.models import CaseStatus
from amtsweg.lib.kern_forms import KernFormMixin


class StatusChangeForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    comment = forms.CharField(
        label=_("Comment (internal)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, allowed: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, CaseStatus(value).label) for value in allowed]
