"""The dashboard's forms: recording progress (POST) and filtering the catalogue (GET)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.lib.kern_forms import KernFormMixin
from amtsweg.progress.models import ImplementationState, PaperKind
from amtsweg.progress.services import ProgressChange

MATURITY_CHOICES = [
    (0, _("0 – nothing online")),
    (1, _("1 – information online")),
    (2, _("2 – form online")),
    (3, _("3 – fully online (identification, application, decision)")),
    (4, _("4 – once-only (evidence from registers)")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ProgressForm(KernFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("Implementation state"), choices=ImplementationState.choices)
    maturity = forms.TypedChoiceField(
        label=_("Maturity level (OZG Reifegradmodell)"), choices=MATURITY_CHOICES, coerce=int
    )
    planned_for = forms.DateField(
        label=_("Planned for"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_("When the service is to go online, e.g. 2027-03-31."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def change(self) -> ProgressChange:
        data = self.cleaned_data
        return ProgressChange(data["state"], data["maturity"], data["planned_for"], data["note"])


class CatalogueFilterForm(KernFormMixin, forms.Form):
    q = forms.CharField(label=_("OZG ID or name"), required=False, max_length=100)
    themenfeld = forms.ChoiceField(label=_("Subject area"), required=False)

    def __init__(self, *args: object, themenfelder: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themenfeld"].choices = [("", _("all")), *[(t, t) for t in themenfelder]]


class PaperStepForm(KernFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What left the digital path"), choices=PaperKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
