"""Forms of the staff sign-in: password, code, and the password reset that only serves staff."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amtsweg.audit.services import record_event
from amtsweg.identity.staff import signin
from amtsweg.identity.staff.accounts import is_staff_account

INPUT = "kern-form-input__input"


def _kern(form: forms.Form) -> None:
    """Give every input the design system's class (Django's widgets come without it)."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", INPUT)


class SignInForm(AuthenticationForm):
    """User name and password, checked by ``signin.check_password`` (with the lock-out)."""

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        _kern(self)

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        outcome, user = signin.check_password(self.request, username, password)
        if outcome is signin.Outcome.LOCKED:
            raise ValidationError(signin.LOCKED_MESSAGE, code="locked", params=_minutes())
        if user is None:
            raise self.get_invalid_login_error()
        self.user_cache = user
        return self.cleaned_data


def _minutes() -> dict[str, int]:
    return {"minutes": settings.AMTSWEG_STAFF_LOCKOUT_MINUTES}


class CodeForm(forms.Form):
    """The six-digit code from the authenticator app (or, when signing in, a backup code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text
        _kern(self)

    def wrong(self) -> None:
        self.add_error("code", _("This code is not valid. Please check it and try again."))


class StaffPasswordResetForm(PasswordResetForm):
    """Sends the reset link only to active staff accounts; the page after it says the same for
    every address, so it tells nobody which addresses exist."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _kern(self)

    def get_users(self, email: str) -> Iterator[AbstractBaseUser]:
        for user in super().get_users(email):
            if is_staff_account(user):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name=html_email_template_name,
        )
        record_event("staff.password_reset_requested", context["user"], actor_label="system")


class StaffSetPasswordForm(SetPasswordForm):
    """The new password after following the link; the change goes into the audit log."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _kern(self)

    def save(self, commit: bool = True) -> AbstractBaseUser:
        user = super().save(commit=commit)
        if commit:
            record_event("staff.password_reset", user, actor=user)
        return user
