"""The service catalogue (Leistungen), the solutions built for it, and the offerings."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.tenants.models import Municipality


class TrustLevel(models.TextChoices):
    """The BundID trust levels (Vertrauensniveau); NONE allows anonymous applications."""

    NONE = "none", _("none (anonymous)")
    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


class Service(models.Model):
    """A Leistung from the federal catalogue, identified by its 14-digit LeiKa key."""

    leika_key = models.CharField(
        _("LeiKa key"),
        max_length=14,
        unique=True,
        validators=[
            RegexValidator(r"^99[0-9]{12}\Z", _("A LeiKa key has 14 digits starting with 99."))
        ],
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    ozg_id = models.CharField(_("OZG ID"), max_length=10, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    # Filled from the OZG catalogue (the ozg app loads it per LeiKa key); used to browse the
    # solution library by subject area and life situation.
    themenfeld = models.CharField(_("subject area (Themenfeld)"), max_length=200, blank=True)
    lebenslage = models.CharField(_("life situation (Lebenslage)"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class Solution(models.Model):
    """An EfA solution: what one publisher municipality built for one service, in versions."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="solutions")
    publisher = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="published_solutions"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["publisher", "slug"], name="unique_solution_slug")
        ]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class SolutionVersion(models.Model):
    """One version of a solution. Once published it never changes, so every submission made with
    it can be rendered and checked against exactly what the applicant saw."""

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    form_definition = models.JSONField(_("form definition"))
    trust_level = models.CharField(
        _("required trust level"),
        max_length=20,
        choices=TrustLevel.choices,
        default=TrustLevel.NONE,
    )
    processing_days = models.PositiveIntegerField(_("processing deadline (days)"), default=14)
    retention_days = models.PositiveIntegerField(
        _("retention of personal data (days)"), default=365 * 3
    )
    retention_days_by_result = models.JSONField(
        _("retention by result (days)"),
        null=True,
        blank=True,
        help_text=_(
            'Optional, e.g. {"rejected": 365}: days per case result; other results keep '
            "the retention above."
        ),
    )
    workflow = models.JSONField(
        _("workflow"),
        null=True,
        blank=True,
        help_text=_("Statuses and transitions of the cases; empty for the default workflow."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["solution", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "number"], name="unique_version_number")
        ]
        verbose_name = _("solution version")
        verbose_name_plural = _("solution versions")

    def __str__(self) -> str:
        return f"{self.solution} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if (
            self.pk
            and SolutionVersion.objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists()
        ):
            raise ValidationError(_("A published solution version cannot be changed."))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The cases app owns the workflow and result formats; imported here to avoid a cycle.
        from amtsweg.cases.services import check_retention_by_result, check_workflow

        errors = {}
        if self.workflow is not None and (problem := check_workflow(self.workflow)):
            errors["workflow"] = problem
        if self.retention_days_by_result is not None and (
            problem := check_retention_by_result(self.retention_days_by_result)
        ):
            errors["retention_days_by_result"] = problem
        if errors:
            raise ValidationError(errors)

    def publish(self) -> None:
        """Freeze this version; from now on it is immutable."""
        if self.status == VersionStatus.PUBLISHED:
            return
        self.status = VersionStatus.PUBLISHED
        self.published_at = timezone.now()
        super().save(update_fields=["status", "published_at"])


class OfferingQuerySet(models.QuerySet):
    def live(self) -> "OfferingQuerySet":
        """Offerings citizens can use today."""
        today = timezone.localdate()
        return self.filter(is_active=True).filter(
            models.Q(go_live__isnull=True) | models.Q(go_live__lte=today)
        )


class Offering(models.Model):
    """One municipality's adoption (Nachnutzung) of one published solution version, with its
    local settings; ``processing_municipality`` may be another member of a shared cluster."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="offerings"
    )
    solution_version = models.ForeignKey(
        SolutionVersion, on_delete=models.PROTECT, related_name="offerings"
    )
    processing_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="processed_offerings"
    )
    slug = models.SlugField(_("slug"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_office = models.CharField(_("responsible office"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    fee = models.DecimalField(_("fee (EUR)"), max_digits=9, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    go_live = models.DateField(_("go-live date"), null=True, blank=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="unique_offering_slug"),
        ]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")

    def __str__(self) -> str:
        return f"{self.title} ({self.municipality})"

    def clean(self) -> None:
        from amtsweg.tenants.services import share_a_cluster

        if self.solution_version_id and self.solution_version.status != VersionStatus.PUBLISHED:
            raise ValidationError(
                {"solution_version": _("Only a published solution version can be offered.")}
            )
        if (
            self.municipality_id
            and self.processing_municipality_id
            and not share_a_cluster(self.municipality, self.processing_municipality)
        ):
            raise ValidationError(
                {
                    "processing_municipality": _(
                        "Only a member of a cluster this municipality belongs to may process "
                        "its cases."
                    )
                }
            )
