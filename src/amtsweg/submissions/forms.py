from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.lib.kern_forms import KernFormMixin


class StatusLookupForm(KernFormMixin, forms.Form):
    reference_number = forms.CharField(
        label=_("Reference number"),
        max_length=30,
        help_text=_("As on your confirmation, e.g. DA-2026-000042."),
    )
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=30,
        help_text=_("The code shown on your confirmation, e.g. K7QM-2XRP-9HTA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ResumeEmailForm(KernFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send the link to this address and use it for nothing else."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
