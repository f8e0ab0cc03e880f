"""The service catalogue (Leistungen), the solutions built for it, and the offerings."""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.lib.iban import compact_iban, iban_problem
from amtsweg.tenants.models import Municipality

#: An SPDX licence identifier (or expression such as "EUPL-1.2 OR MIT").
SPDX_ID = RegexValidator(
    r"^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*\Z",
    _("Give an SPDX licence identifier, e.g. EUPL-1.2."),
)
FEE_FIELD: dict[str, Any] = {
    "max_digits": 9,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal("0"))],
}


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
    forked_from = models.ForeignKey(
        "SolutionVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forks",
        verbose_name=_("forked from"),
    )
    provenance = models.JSONField(
        _("provenance"),
        null=True,
        blank=True,
        help_text=_("Where an imported solution comes from (installation, publisher, uuid)."),
    )

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
    REVIEW = "review", _("in review")
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
    licence = models.CharField(
        _("licence (SPDX)"), max_length=100, default="EUPL-1.2", validators=[SPDX_ID]
    )
    release_notes = models.TextField(_("what changed"), blank=True)
    fee = models.DecimalField(
        _("standard fee (EUR)"),
        help_text=_("Empty when each municipality sets its own fee (e.g. by its local statute)."),
        **FEE_FIELD,
    )
    fee_min = models.DecimalField(_("lowest local fee (EUR)"), **FEE_FIELD)
    fee_max = models.DecimalField(
        _("highest local fee (EUR)"),
        help_text=_(
            "With a standard fee: adopters may set their own fee within this range; without a "
            "range the standard fee applies everywhere."
        ),
        **FEE_FIELD,
    )
    options = models.JSONField(
        _("configurable options"),
        null=True,
        blank=True,
        help_text=_(
            'Choices each adopter makes, e.g. [{"key": "pickup", "label": {"de": "Abholung"}, '
            '"choices": [{"value": "office", "label": {"de": "im Bürgerbüro"}}], '
            '"default": "office"}].'
        ),
    )
    required_by = models.DateField(
        _("required update: switch by"),
        null=True,
        blank=True,
        help_text=_("Set for a security or legal update every adopter must switch to."),
    )
    required_reason = models.CharField(
        _("reason for the required update"), max_length=300, blank=True
    )
    review_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    provenance = models.JSONField(_("provenance"), null=True, blank=True)

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
        shape = options_problem(self.options) if self.options is not None else ""
        if problem := shape or self._undeclared_options_problem():
            errors["options"] = problem
        if (self.fee_min is None) != (self.fee_max is None) or (
            self.fee_min is not None and self.fee is None
        ):
            errors["fee_max"] = _("A fee range needs a standard fee, a lowest and a highest fee.")
        elif self.fee_min is not None and not self.fee_min <= self.fee <= self.fee_max:
            errors["fee_max"] = _("The standard fee must lie within the range.")
        if self.required_by and not self.required_reason.strip():
            errors["required_reason"] = _("Say why adopters must switch to this version.")
        if errors:
            raise ValidationError(errors)

    def _undeclared_options_problem(self) -> str:
        """Why the options cannot lose a key the form's conditions read, or ""."""
        from amtsweg.forms.services import option_references

        declared = {option["key"] for option in self.options or []}
        unknown = sorted(option_references(self.form_definition or {}) - declared)
        if not unknown:
            return ""
        return _("The form's conditions read the option “%(key)s”; keep it among the options.") % {
            "key": unknown[0]
        }

    @property
    def fee_overridable(self) -> bool:
        """Whether adopters may set their own fee: always without a standard fee, within the
        range with one."""
        return self.fee is None or self.fee_min is not None

    def fee_problem(self, fee: Decimal) -> str:
        """Why an adopter may not charge ``fee`` with this version, or ""."""
        if self.fee is None:
            return ""
        if self.fee_min is None:
            if fee != self.fee:
                return _("This solution fixes the fee at %(fee)s €.") % {"fee": self.fee}
            return ""
        if not self.fee_min <= fee <= self.fee_max:
            return _("This solution allows a fee from %(low)s € to %(high)s €.") % {
                "low": self.fee_min,
                "high": self.fee_max,
            }
        return ""

    def option_choices(self) -> dict[str, list[str]]:
        """The configurable options' keys with the values each allows."""
        return {
            option["key"]: [choice["value"] for choice in option["choices"]]
            for option in self.options or []
        }

    def resolve_options(self, chosen: dict[str, Any] | None) -> dict[str, str]:
        """The value of every option this version declares: the chosen one where it is still
        a choice, the default otherwise. What the form's ``$options`` conditions read."""
        chosen = chosen or {}
        return {
            option["key"]: (
                chosen[option["key"]]
                if chosen.get(option["key"]) in [c["value"] for c in option["choices"]]
                else option["default"]
            )
            for option in self.options or []
        }

    def publish(self) -> None:
        """Freeze this version; from now on it is immutable."""
        if self.status == VersionStatus.PUBLISHED:
            return
        self.status = VersionStatus.PUBLISHED
        self.published_at = timezone.now()
        super().save(update_fields=["status", "published_at"])


class OfferingQuerySet(models.QuerySet):
    def live(self) -> "OfferingQuerySet":
        """Offerings citizens can use today (``Offering.is_live`` for one already read)."""
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
    opening_hours = models.TextField(_("opening hours"), blank=True)
    contact_block = models.TextField(
        _("local contact information"),
        blank=True,
        help_text=_("Shown on the service page, e.g. address, room, how to reach the office."),
    )
    iban = models.CharField(_("IBAN of the payment account"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    step_hints = models.JSONField(
        _("local hints per step"), default=dict, blank=True, help_text=_("Step key → text.")
    )
    option_values = models.JSONField(
        _("chosen options"), default=dict, blank=True, help_text=_("Option key → value.")
    )
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

    def is_live(self) -> bool:
        """Whether citizens can use this offering today: what ``OfferingQuerySet.live``
        selects, for the journey's lookups that read one offering by its key and check it
        afterwards (``tests/test_solution_versions.py`` holds the two together)."""
        return self.is_active and (self.go_live is None or self.go_live <= timezone.localdate())

    def clean(self) -> None:
        from amtsweg.tenants.services import share_a_cluster

        if self.solution_version_id and self.solution_version.status != VersionStatus.PUBLISHED:
            raise ValidationError(
                {"solution_version": _("Only a published solution version can be offered.")}
            )
        if self.iban:
            self.iban = compact_iban(self.iban)
            if iban_problem(self.iban) is not None:
                raise ValidationError({"iban": _("This is not a valid IBAN.")})
        if self.solution_version_id:
            self.local_settings_check(self.solution_version)
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

    def local_settings_problems(self, version: SolutionVersion) -> dict[str, str]:
        """Why this offering's local settings do not fit ``version`` (field → message): its
        fee, its chosen options and the steps its hints belong to."""
        from amtsweg.forms.services import steps_of

        problems: dict[str, str] = {}
        if self.fee is not None and (problem := version.fee_problem(self.fee)):
            problems["fee"] = problem
        choices = version.option_choices()
        for key, value in (self.option_values or {}).items():
            if value not in choices.get(key, []):
                problems["option_values"] = _(
                    "“%(value)s” is not a choice of the option “%(key)s”."
                ) % {"value": value, "key": key}
        step_keys = {step["key"] for step in steps_of(version.form_definition)}
        for key in self.step_hints or {}:
            if key not in step_keys:
                problems["step_hints"] = _("The form has no step “%(key)s”.") % {"key": key}
        return problems

    def local_settings_check(self, version: SolutionVersion) -> None:
        if problems := self.local_settings_problems(version):
            raise ValidationError(problems)


def options_problem(options: object) -> str:
    """Why a version's configurable options cannot be used, or "": a list of objects each
    with a key, a German label, choices with values and a default among them."""
    if not isinstance(options, list):
        return _("The options must be a list.")
    keys = set()
    for option in options:
        if not isinstance(option, dict) or not isinstance(option.get("key"), str):
            return _("Every option needs a key.")
        key = option["key"]
        if key in keys:
            return _("The option “%(key)s” is given twice.") % {"key": key}
        keys.add(key)
        label = option.get("label")
        if not isinstance(label, dict) or not isinstance(label.get("de"), str):
            return _("The option “%(key)s” needs a German label.") % {"key": key}
        choices = option.get("choices")
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, dict) and isinstance(c.get("value"), str) for c in choices)
            or not all(isinstance(c.get("label"), dict) for c in choices)
        ):
            return _("The option “%(key)s” needs choices with a value and a label.") % {"key": key}
        if option.get("default") not in [choice["value"] for choice in choices]:
            return _("The default of the option “%(key)s” must be one of its choices.") % {
                "key": key
            }
    return ""
