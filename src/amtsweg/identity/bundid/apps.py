from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundidConfig(AppConfig):
    """Citizen log-in with BundID over SAML 2.0 (Amtsweg as service provider)."""

    name = "amtsweg.identity.bundid"
    label = "bundid"
    verbose_name = _("BundID log-in")
