from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestIdpConfig(AppConfig):
    """The bundled test identity provider: a real SAML IdP with invented people, so that the
    whole BundID journey runs offline. Answers only while ``AMTSWEG_TEST_IDP`` is on."""

    name = "amtsweg.identity.testidp"
    label = "testidp"
    verbose_name = _("Test identity provider")
