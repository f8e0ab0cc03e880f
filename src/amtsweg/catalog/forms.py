"""Forms of the library, the adoption and the designer's version settings. They check what a
form can check; the service functions check again and have the last word."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.adoption import go_live_today_or_later, processing_candidates
from amtsweg.catalog.library import SORTS, Facets, LibraryFilter
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.catalog.versions import DRAFT_SETTINGS
from amtsweg.forms.services import steps_of
from amtsweg.forms.text import localized
from amtsweg.tenants.models import Municipality


def kern_widgets(form: forms.BaseForm) -> None:
    """Give every widget the KERN UX class of its kind, as the citizen's field templates do."""
    for field in form.fields.values():
        widget = field.widget
        kind = "select" if isinstance(widget, forms.Select) else "input"
        widget.attrs.setdefault("class", f"kern-form-input__{kind}")


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    themenfeld = forms.ChoiceField(label=_("Subject area (Themenfeld)"), required=False)
    lebenslage = forms.ChoiceField(label=_("Life situation (Lebenslage)"), required=False)
    publisher = forms.ChoiceField(label=_("Publisher"), required=False)
    min_adopters = forms.IntegerField(
        label=_("Used by at least (municipalities)"), required=False, min_value=0, max_value=9999
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("name")),
            ("adopters", _("number of municipalities using it")),
            ("newest", _("newest first")),
        ],
    )

    def __init__(self, data: Any, facets: Facets) -> None:
        super().__init__(data)
        everything = [("", _("all"))]
        self.fields["themenfeld"].choices = everything + [(v, v) for v in facets.themenfelder]
        self.fields["lebenslage"].choices = everything + [(v, v) for v in facets.lebenslagen]
        self.fields["publisher"].choices = everything + [
            (m.ags, m.short_name) for m in facets.publishers
        ]
        kern_widgets(self)

    def wanted(self) -> LibraryFilter:
        """The filter to apply; an invalid field filters nothing (its error is shown)."""
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "name"
        return LibraryFilter(
            query=data.get("q", ""),
            themenfeld=data.get("themenfeld", ""),
            lebenslage=data.get("lebenslage", ""),
            publisher=data.get("publisher", ""),
            min_adopters=data.get("min_adopters") or 0,
            sort=sort if sort in SORTS else "name",
        )


class OfferingSettingsForm(forms.Form):
    """The local settings of an offering of ``version``: office, contact, opening hours, fee
    (only where the version allows), payment account, processing municipality, go-live, local
    hints per step and the configurable options."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    responsible_office = forms.CharField(label=_("Responsible office"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=50, required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_block = forms.CharField(
        label=_("Local contact information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fee = forms.DecimalField(label=_("Fee (EUR)"), min_value=0, max_digits=9, decimal_places=2)
    iban = forms.CharField(label=_("IBAN of the payment account"), max_length=42, required=False)
    account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    processing_municipality = forms.ModelChoiceField(
        label=_("Processed by"), queryset=Municipality.objects.none(), empty_label=None
    )
    go_live = forms.DateField(
        label=_("Go-live date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        data: Any,
        *,
        version: SolutionVersion,
        municipality: Municipality,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.version = version
        candidates: QuerySet[Municipality] = processing_candidates(municipality)
        self.fields["processing_municipality"].queryset = candidates
        self.fields["processing_municipality"].initial = municipality.pk
        if not version.fee_overridable:
            self.fields["fee"].disabled = True
            self.fields["fee"].help_text = _("Fixed by the solution.")
        elif version.fee_min is not None:
            self.fields["fee"].help_text = _("Between %(low)s € and %(high)s €.") % {
                "low": version.fee_min,
                "high": version.fee_max,
            }
        values = (initial or {}).get("option_values", {})
        for option in version.options or []:
            self.fields[f"option_{option['key']}"] = forms.ChoiceField(
                label=localized(option["label"]),
                choices=[(c["value"], localized(c["label"])) for c in option["choices"]],
                initial=values.get(option["key"], option["default"]),
            )
        hints = (initial or {}).get("step_hints", {})
        for step in steps_of(version.form_definition):
            self.fields[f"hint_{step['key']}"] = forms.CharField(
                label=_("Local hint on the step “%(step)s”") % {"step": localized(step["title"])},
                required=False,
                max_length=2000,
                initial=hints.get(step["key"], ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        kern_widgets(self)

    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("option_")]

    def hint_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("hint_")]

    def clean_go_live(self) -> Any:
        value = self.cleaned_data.get("go_live")
        if "go_live" in self.changed_data and (problem := go_live_today_or_later(value)):
            raise ValidationError(problem)
        return value

    def clean_fee(self) -> Any:
        fee = self.cleaned_data.get("fee")
        if fee is not None and (problem := self.version.fee_problem(fee)):
            raise ValidationError(problem)
        return fee

    def values(self) -> dict[str, Any]:
        """The cleaned data as the service functions take them."""
        data = dict(self.cleaned_data)
        data["option_values"] = {
            name.removeprefix("option_"): data.pop(name)
            for name in list(data)
            if name.startswith("option_")
        }
        hints = {name: data.pop(name) for name in list(data) if name.startswith("hint_")}
        data["step_hints"] = {
            name.removeprefix("hint_"): text.strip()
            for name, text in hints.items()
            if text.strip()
        }
        return data

    def show_errors(self, invalid: ValidationError) -> None:
        """Put the service's refusal next to the field it concerns."""
        for name, messages in invalid.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


def offering_initial(offering: Offering) -> dict[str, Any]:
    """An offering's settings as the form's initial data."""
    names = [
        name for name in OfferingSettingsForm.base_fields if name != "processing_municipality"
    ]
    initial = {name: getattr(offering, name) for name in names}
    initial["processing_municipality"] = offering.processing_municipality_id
    initial["option_values"] = offering.option_values
    initial["step_hints"] = offering.step_hints
    return initial


class VersionSettingsForm(forms.ModelForm):
    """What a designer sets on a draft besides its form definition."""

    class Meta:
        model = SolutionVersion
        fields = list(DRAFT_SETTINGS)
        widgets = {
            "required_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "release_notes": forms.Textarea(attrs={"rows": 4}),
            "options": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class PackageUploadForm(forms.Form):
    package = forms.FileField(label=_("Solution package (.amtsweg.json)"))
    municipality = forms.ModelChoiceField(
        label=_("Municipality that looks after it here"),
        queryset=Municipality.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        kern_widgets(self)
