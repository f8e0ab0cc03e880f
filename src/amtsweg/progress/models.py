"""The OZG catalogue (OZG-Leistungen with their LeiKa keys) and each municipality's progress
in putting them online, plus the paper steps that keep a case from being fully digital."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.tenants.models import Municipality


class CatalogueLoad(models.Model):
    """One run of ``load_ozg_catalogue``: which files, and what it changed. Kept as history, so
    an operator can tell which catalogue the installation follows."""

    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    files = models.JSONField(_("files"), default=list, help_text=_("Names and SHA-256 sums."))
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    reinstated = models.PositiveIntegerField(_("listed again"), default=0)

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        verbose_name = _("catalogue load")
        verbose_name_plural = _("catalogue loads")

    def __str__(self) -> str:
        return f"{self.loaded_at:%Y-%m-%d %H:%M}"


class OzgServiceQuerySet(models.QuerySet["OzgService"]):
    def current(self) -> "OzgServiceQuerySet":
        """OZG-Leistungen the catalogue loaded last still lists."""
        return self.filter(withdrawn_at__isnull=True)


class OzgService(models.Model):
    """An OZG-Leistung (Leistungsbündel) of the OZG-Umsetzungskatalog, e.g. 10160 Hundehaltung,
    with its Themenfeld and Lebenslage. Its LeiKa keys (``leika_keys``) link it to
    ``catalog.Service`` rows: a solution built for such a service puts this OZG-Leistung online.

    Never deleted by a newer catalogue: one that no longer lists it sets ``withdrawn_at``, so the
    progress municipalities recorded against it stays visible."""

    ozg_id = models.CharField(_("OZG ID"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=300)
    themenfeld = models.CharField(_("subject area (Themenfeld)"), max_length=200)
    lebenslage = models.CharField(_("life situation (Lebenslage)"), max_length=200)
    withdrawn_at = models.DateTimeField(
        _("withdrawn at"),
        null=True,
        blank=True,
        help_text=_("Set when a newer catalogue no longer lists this service."),
    )

    objects = OzgServiceQuerySet.as_manager()

    class Meta:
        ordering = ["ozg_id"]
        verbose_name = _("OZG service")
        verbose_name_plural = _("OZG services")

    def __str__(self) -> str:
        return f"{self.ozg_id} {self.name}"


class OzgLeikaKey(models.Model):
    """One LeiKa key bundled in an OZG-Leistung; a key belongs to one OZG-Leistung."""

    ozg_service = models.ForeignKey(OzgService, on_delete=models.CASCADE, related_name="keys")
    leika_key = models.CharField(_("LeiKa key"), max_length=14, unique=True)

    class Meta:
        ordering = ["leika_key"]
        verbose_name = _("LeiKa key of an OZG service")
        verbose_name_plural = _("LeiKa keys of OZG services")

    def __str__(self) -> str:
        return self.leika_key


class ImplementationState(models.TextChoices):
    NOT_PLANNED = "not_planned", _("not planned")
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    ONLINE = "online", _("online")


#: The OZG Reifegradmodell: 0 nothing online, 1 information online, 2 form online (sent on
#: paper or without identification), 3 fully online with identification and a digital
#: decision, 4 once-only (evidence fetched from registers, nothing to upload).
MATURITY_LEVELS = (0, 1, 2, 3, 4)


class ServiceProgress(models.Model):
    """What a municipality recorded about one OZG-Leistung: state, maturity, plan and note.

    Only the recorded half: a live offering makes the service online on its own
    (``progress.derivation``), and what is shown is the two combined."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="ozg_progress"
    )
    ozg_service = models.ForeignKey(OzgService, on_delete=models.PROTECT, related_name="progress")
    state = models.CharField(
        _("implementation state"),
        max_length=20,
        choices=ImplementationState.choices,
        default=ImplementationState.NOT_PLANNED,
    )
    maturity = models.PositiveSmallIntegerField(
        _("maturity level"), default=0, validators=[MaxValueValidator(4)]
    )
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["municipality", "ozg_service"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "ozg_service"], name="one_progress_per_service"
            ),
            models.CheckConstraint(
                condition=models.Q(maturity__lte=4), name="maturity_level_0_to_4"
            ),
        ]
        verbose_name = _("OZG progress")
        verbose_name_plural = _("OZG progress")

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.ozg_service_id}: {self.state} ({self.maturity})"


class PaperKind(models.TextChoices):
    LETTER_SENT = "letter_sent", _("letter sent by post")
    PAPER_RECEIVED = "paper_received", _("paper document received")
    VISIT = "visit", _("visit in person needed")


class PaperStep(models.Model):
    """A step of a case that left the digital path (a letter, a paper original, a visit).

    The cases app has no such marker: its messages and decisions are always delivered
    digitally (mailbox or status page). A clerk records a paper step here, and a finished case
    without one counts as "finished without any paper step" on the dashboard."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="paper_steps")
    kind = models.CharField(_("kind"), max_length=20, choices=PaperKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("paper step")
        verbose_name_plural = _("paper steps")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"
