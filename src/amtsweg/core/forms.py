from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from amtsweg.lib.kern_forms import KernFormMixin

#: Long enough for a detailed report, short enough that the form cannot carry a document dump.
MESSAGE_MAX_LENGTH = 2000


class AccessibilityFeedbackForm(KernFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        help_text=format_lazy(
            _(
                "Describe the barrier: which page, what you wanted to do and what went wrong. "
                "At most {max} characters."
            ),
            max=MESSAGE_MAX_LENGTH,
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={
            "required": _("Enter your message, for example which page you could not use."),
            "max_length": _(
                "Shorten your message to at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        help_text=_("Only if you want an answer. We use it for nothing else."),
        required=False,
        error_messages={
            "invalid": _(
                "Enter the e-mail address in the form name@example.de, or leave it empty."
            )
        },
    )

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(self.fields["message"].error_messages["required"])
        return message
