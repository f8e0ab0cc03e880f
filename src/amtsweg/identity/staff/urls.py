"""Staff sign-in URLs, included by ``amtsweg.identity.urls`` into its ``identity`` namespace."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from amtsweg.identity.staff import oidc_views, views
from amtsweg.identity.staff.forms import StaffPasswordResetForm, StaffSetPasswordForm
from amtsweg.identity.staff.middleware import staff_public

TEMPLATES = "identity/staff"

urlpatterns = [
    path("anmelden/", views.sign_in, name="login"),
    path("anmelden/code/", views.verify, name="otp_verify"),
    path("anmelden/einrichten/", views.enrol, name="otp_enrol"),
    path("abmelden/", staff_public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "passwort/",
        staff_public(
            auth_views.PasswordResetView.as_view(
                form_class=StaffPasswordResetForm,
                template_name=f"{TEMPLATES}/password_reset_form.html",
                email_template_name=f"{TEMPLATES}/email/password_reset_body.txt",
                subject_template_name=f"{TEMPLATES}/email/password_reset_subject.txt",
                success_url=reverse_lazy("identity:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "passwort/gesendet/",
        staff_public(
            auth_views.PasswordResetDoneView.as_view(
                template_name=f"{TEMPLATES}/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        staff_public(
            auth_views.PasswordResetConfirmView.as_view(
                form_class=StaffSetPasswordForm,
                template_name=f"{TEMPLATES}/password_reset_confirm.html",
                success_url=reverse_lazy("identity:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "passwort/fertig/",
        staff_public(
            auth_views.PasswordResetCompleteView.as_view(
                template_name=f"{TEMPLATES}/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
    path("anmelden/sso/", staff_public(oidc_views.StartView.as_view()), name="oidc_start"),
    path(
        "anmelden/sso/zurueck/",
        staff_public(oidc_views.CallbackView.as_view()),
        name="oidc_callback",
    ),
]
