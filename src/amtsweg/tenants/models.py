"""Municipalities (the tenant boundary), their IKZ clusters and staff roles."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.lib.keys import ags_matches_ars, validate_ags, validate_ars
from amtsweg.tenants.colours import HEX_COLOUR, validate_accent_colour
from amtsweg.tenants.logos import validate_logo

POSTCODE = re.compile(r"[0-9]{5}")


def search_key(text: str) -> str:
    """Case-folded text for searching: SQLite's LIKE folds only ASCII, so "überlingen" would
    not find "Überlingen"; comparing case-folded copies works the same on every database."""
    return text.casefold()


class MunicipalityKind(models.TextChoices):
    INDEPENDENT_CITY = "kreisfreie Stadt", _("independent city")
    TOWN = "Stadt", _("town")
    MUNICIPALITY = "Gemeinde", _("municipality")
    DISTRICT = "Landkreis", _("district")


class MunicipalityQuerySet(models.QuerySet):
    def with_postcode(self, postcode: str) -> "MunicipalityQuerySet":
        """Municipalities whose area overlaps the 5-digit ``postcode``."""
        if not POSTCODE.fullmatch(postcode):
            return self.none()
        # Postcodes are stored as one space-separated string of 5-digit codes, so a validated
        # 5-digit search term can only match one whole code.
        return self.filter(postcodes__contains=postcode)


class Municipality(models.Model):
    """A Kommune (Gemeinde, Stadt or Landkreis): the tenant every municipal row belongs to."""

    name = models.CharField(
        _("official name"),
        max_length=200,
        help_text=_(
            "As in the Destatis Gemeindeverzeichnis, e.g. 'Darmstadt, Wissenschaftsstadt'."
        ),
    )
    short_name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 'Darmstadt'."))
    kind = models.CharField(_("kind"), max_length=20, choices=MunicipalityKind.choices)
    ags = models.CharField(_("AGS"), max_length=8, unique=True, validators=[validate_ags])
    ars = models.CharField(_("ARS"), max_length=12, unique=True, validators=[validate_ars])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    reference_prefix = models.CharField(
        _("reference number prefix"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}\Z", _("Use 2 to 6 capital letters, e.g. DA."))],
        help_text=_("Starts every reference number of this municipality, e.g. DA-2026-000042."),
    )
    postcodes = models.CharField(
        _("postcodes"),
        max_length=500,
        blank=True,
        help_text=_("Every postcode whose area overlaps the municipality, space-separated."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    search_name = models.CharField(max_length=400, editable=False, default="")
    # Contact and imprint (Impressum) data.
    authority_name = models.CharField(
        _("authority"), max_length=200, blank=True, help_text=_("e.g. 'Magistrat der Stadt'.")
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    represented_by = models.CharField(_("represented by"), max_length=200, blank=True)
    supervisory_authority = models.CharField(
        _("supervisory authority"), max_length=200, blank=True
    )
    opening_hours = models.TextField(
        _("opening hours"),
        blank=True,
        help_text=_("Shown in the footer of the municipality's pages, e.g. 'Mo–Fr 8–12 Uhr'."),
    )
    # Appearance: shown in the page header of the municipality's pages.
    logo = models.FileField(
        _("logo or coat of arms"),
        upload_to="municipality-logos/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or SVG of at most 200 KB; SVGs without scripts or links."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[validate_accent_colour],
        help_text=_(
            "e.g. #004b87; it must have a contrast of at least 4.5:1 to white (WCAG 2.1 AA)."
        ),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = search_key(f"{self.short_name} {self.name}")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.ags and self.ars and not ags_matches_ars(self.ags, self.ars):
            raise ValidationError(
                {"ars": _("The ARS does not belong to the AGS %(ags)s.") % {"ags": self.ags}}
            )
        codes = self.postcodes.split()
        if any(not POSTCODE.fullmatch(code) for code in codes):
            raise ValidationError({"postcodes": _("Postcodes have exactly 5 digits each.")})
        self.postcodes = " ".join(sorted(set(codes)))

    @property
    def postcode_list(self) -> list[str]:
        return self.postcodes.split()

    @property
    def accent(self) -> str:
        """The accent colour for the page's style sheet; only a well-formed value ever gets
        there, even when a row was written around the validators."""
        return self.accent_colour if HEX_COLOUR.fullmatch(self.accent_colour) else ""


class Cluster(models.Model):
    """An IKZ-Verbund: municipalities that cooperate, share solutions, process for each other."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    lead = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="led_clusters", verbose_name=_("lead")
    )
    members = models.ManyToManyField(
        Municipality, related_name="clusters", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("municipal admin")
    DESIGNER = "designer", _("service designer")
    CLERK = "clerk", _("clerk")
    READ_ONLY = "read_only", _("read-only")
    #: Follows the OZG progress of the municipality (and its clusters) and records it.
    COORDINATOR = "coordinator", _("OZG coordinator")


class Membership(models.Model):
    """One role that one staff user holds in one municipality."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="unique_membership_role"
            )
        ]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality} – {self.get_role_display()}"
