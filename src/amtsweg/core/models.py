"""Platform-wide records that belong to no single domain app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessibilityFeedback(models.Model):
    """A message sent through the accessibility statement's feedback form (BITV 2.0 § 7).

    Kept as a row, not only as an e-mail, so that a lost mail does not lose the report and the
    six-week answer period of § 12b BGG can be followed up.
    """

    municipality = models.ForeignKey(
        "tenants.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accessibility_feedback",
        verbose_name=_("municipality"),
        help_text=_("Empty for feedback on the platform as a whole."),
    )
    message = models.TextField(_("message"))
    email = models.EmailField(_("e-mail for the answer"), blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    sent_at = models.DateTimeField(_("forwarded by e-mail"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.municipality or 'Amtsweg'}"
