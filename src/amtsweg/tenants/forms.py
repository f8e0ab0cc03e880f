"""The municipal admin's settings form: how the municipality's pages look and whom to contact."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.lib.kern_forms import KernFormMixin
from amtsweg.tenants.models import Municipality


class AppearanceForm(KernFormMixin, forms.ModelForm):
    """Logo, accent colour and the contact block of the footer. The model's validators check
    the logo's content and the colour's contrast, so the Django admin refuses the same."""

    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    class Meta:
        model = Municipality
        fields = [
            "logo",
            "accent_colour",
            "authority_name",
            "street",
            "postcode",
            "city",
            "phone",
            "email",
            "opening_hours",
        ]
        widgets = {
            "logo": forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg"}),
            "accent_colour": forms.TextInput(attrs={"placeholder": "#004b87", "maxlength": 7}),
            "opening_hours": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remove_logo"].widget.attrs["class"] = "kern-form-check__checkbox"
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def save(self, commit: bool = True) -> Municipality:
        if self.cleaned_data.get("remove_logo") and "logo" not in self.changed_data:
            self.instance.logo.delete(save=False)
        return super().save(commit=commit)
