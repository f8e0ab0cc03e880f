from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffAuthConfig(AppConfig):
    """Staff sign-in with a second factor; its own app so its tables and migrations stay apart
    from the citizens' BundID log-in in the same ``identity`` package."""

    name = "amtsweg.identity.staff"
    label = "staff_auth"
    verbose_name = _("staff sign-in")

    def ready(self) -> None:
        from amtsweg.identity.staff import signals  # noqa: F401  (connects the receivers)
