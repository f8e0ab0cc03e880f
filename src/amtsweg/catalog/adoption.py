"""Adoption (Nachnutzung): a municipal admin offers a published solution version with local
settings, previews it, puts it live, and later adds local texts; or forks the solution when
the form itself must differ.

The offering points at the published version; nothing of the form is copied, so a fix in a
new version reaches every adopter who switches. Local variants are limited to what the
publisher allows: texts around the form (hints per step, a contact block), the options the
version declares configurable, and a fee within the version's range.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.catalog.models import Offering, Solution, SolutionVersion, VersionStatus
from amtsweg.catalog.versions import ADOPTING_ROLES, DESIGNING_ROLES, audit_version
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import User, has_role, municipalities_for

#: The local settings an admin fills when adopting and may change later.
LOCAL_SETTINGS = (
    "title",
    "description",
    "responsible_office",
    "contact_email",
    "contact_phone",
    "opening_hours",
    "contact_block",
    "fee",
    "iban",
    "account_holder",
    "processing_municipality",
    "go_live",
    "step_hints",
    "option_values",
)


def adopting_municipalities(user: User) -> QuerySet[Municipality]:
    """Where ``user`` may adopt solutions (municipal admins)."""
    return municipalities_for(user, ADOPTING_ROLES)


def processing_candidates(municipality: Municipality) -> QuerySet[Municipality]:
    """Who may process the cases of ``municipality``: itself and every member of a cluster it
    belongs to."""
    partners = Municipality.objects.filter(clusters__members=municipality).values("pk")
    return Municipality.objects.filter(Q(pk=municipality.pk) | Q(pk__in=partners)).order_by(
        "short_name"
    )


def existing_offering(municipality: Municipality, solution: Solution) -> Offering | None:
    """The municipality's offering of ``solution`` (any version), if it has one."""
    return (
        Offering.objects.filter(municipality=municipality, solution_version__solution=solution)
        .select_related("solution_version")
        .first()
    )


def free_slug(existing: QuerySet[Any], wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… when one of ``existing`` (the rows of one
    municipality) already has it; one query instead of one per try."""
    taken = set(existing.filter(slug__startswith=wanted).values_list("slug", flat=True))
    slug, number = wanted, 2
    while slug in taken:
        slug, number = f"{wanted}-{number}", number + 1
    return slug


def adoption_defaults(version: SolutionVersion) -> dict[str, Any]:
    """What the adoption form starts with: the solution's name and fee, and each option's
    default."""
    return {
        "title": version.solution.name,
        "description": version.solution.summary,
        "fee": version.fee if version.fee is not None else Decimal("0"),
        "option_values": {option["key"]: option["default"] for option in version.options or []},
    }


def adopt_solution(
    version: SolutionVersion,
    municipality: Municipality,
    values: dict[str, Any],
    *,
    actor: AbstractBaseUser,
) -> tuple[Offering, bool]:
    """Create ``municipality``'s offering of ``version`` with the local settings ``values``.

    The offering starts inactive: the admin previews it and then puts it live (``go_live``).
    A municipality offers a solution once: a repeated submit (double click) or a second
    adoption returns the existing offering with ``created`` False. ``ValidationError`` when a
    setting is not allowed (fee outside the range, an IBAN that does not check, a processing
    municipality outside the clusters), and nothing is written.
    """
    if not has_role(actor, municipality, ADOPTING_ROLES):
        raise PermissionDenied(_("Only an admin of the municipality may adopt solutions."))
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published solution version can be offered."))
    try:
        with transaction.atomic():
            # One adoption at a time per municipality: the second of two simultaneous submits
            # waits here and then finds the first one's offering.
            Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
            found = existing_offering(municipality, version.solution)
            if found is not None:
                return found, False
            offering = Offering(
                municipality=municipality,
                solution_version=version,
                slug=free_slug(
                    Offering.objects.filter(municipality=municipality), version.solution.slug
                ),
                is_active=False,
                **{**adoption_defaults(version), **_known(values)},
            )
            if offering.processing_municipality_id is None:
                offering.processing_municipality = municipality
            offering.full_clean()
            offering.save()
            _audit(offering, "offering.adopted", actor, version=version.number)
    except IntegrityError:
        found = existing_offering(municipality, version.solution)
        if found is None:
            raise
        return found, False
    return offering, True


def _known(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name in LOCAL_SETTINGS}


def _audit(offering: Offering, action: str, actor: AbstractBaseUser, **data: Any) -> None:
    record_event(
        action,
        offering,
        actor=actor,
        chain=offering.municipality.ags,
        data={"offering": str(offering.uuid), **data},
    )


def offerings_for_admin(user: User) -> QuerySet[Offering]:
    """The offerings of every municipality where ``user`` is an admin, with what the list
    shows preloaded."""
    return (
        Offering.objects.filter(municipality__in=adopting_municipalities(user))
        .select_related(
            "municipality", "processing_municipality", "solution_version__solution__publisher"
        )
        .order_by("municipality__short_name", "title")
    )


def get_offering_for_admin(user: User, offering_uuid: object) -> Offering:
    """The offering if ``user`` is an admin of its municipality; 404 otherwise, so another
    municipality's offerings are neither shown nor changed."""
    try:
        return (
            offerings_for_admin(user)
            .select_related("solution_version__solution__service")
            .get(uuid=offering_uuid)
        )
    except (Offering.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such offering.")) from None


def update_offering(
    offering: Offering, values: dict[str, Any], *, actor: AbstractBaseUser
) -> Offering:
    """Change local settings; ``ValidationError`` (nothing stored) when one is not allowed."""
    if not has_role(actor, offering.municipality, ADOPTING_ROLES):
        raise PermissionDenied(_("Only an admin of the municipality may change its offering."))
    with transaction.atomic():
        locked = Offering.objects.select_for_update(of=("self",)).get(pk=offering.pk)
        changed = _known(values)
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        _audit(locked, "offering.settings_changed", actor, fields=sorted(changed))
    return locked


def put_live(offering: Offering, *, actor: AbstractBaseUser) -> Offering:
    """Make the offering available to citizens, from its go-live date (today when unset)."""
    if not has_role(actor, offering.municipality, ADOPTING_ROLES):
        raise PermissionDenied(_("Only an admin of the municipality may put it live."))
    with transaction.atomic():
        locked = Offering.objects.select_for_update(of=("self",)).get(pk=offering.pk)
        locked.is_active = True
        locked.go_live = locked.go_live or timezone.localdate()
        locked.save(update_fields=["is_active", "go_live"])
        _audit(locked, "offering.live", actor, go_live=locked.go_live.isoformat())
    return locked


def step_hint(offering: Offering, step_key: str) -> str:
    """The adopter's local hint for a step, or ""."""
    hint = (offering.step_hints or {}).get(step_key, "")
    return hint if isinstance(hint, str) else ""


def chosen_options(offering: Offering) -> list[tuple[str, str]]:
    """The configurable options as (label, chosen choice's label), for the service page."""
    from amtsweg.forms.text import localized

    shown = []
    for option in offering.solution_version.options or []:
        value = offering.option_values.get(option["key"], option["default"])
        choice = next((c for c in option["choices"] if c["value"] == value), None)
        if choice is not None:
            shown.append((localized(option["label"]), localized(choice["label"])))
    return shown


def fork_solution(
    version: SolutionVersion, municipality: Municipality, *, actor: AbstractBaseUser
) -> Solution:
    """A new solution of ``municipality`` that starts as a copy of ``version``: its own form,
    its own versions, recording where it came from (``forked_from``). Its version 1 is a
    draft for the municipality's designers to change."""
    if not has_role(actor, municipality, DESIGNING_ROLES):
        raise PermissionDenied(_("Only a designer or admin of the municipality may fork."))
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published solution version can be forked."))
    source = version.solution
    with transaction.atomic():
        base = slugify(f"{source.slug}-{municipality.slug}")[:90]
        slug = free_slug(Solution.objects.filter(publisher=municipality), base)
        fork = Solution.objects.create(
            service=source.service,
            publisher=municipality,
            name=_("%(name)s (%(municipality)s)")
            % {"name": source.name, "municipality": municipality.short_name},
            slug=slug,
            summary=source.summary,
            forked_from=version,
        )
        draft = SolutionVersion.objects.create(
            solution=fork,
            number=1,
            form_definition=version.form_definition,
            workflow=version.workflow,
            trust_level=version.trust_level,
            processing_days=version.processing_days,
            retention_days=version.retention_days,
            retention_days_by_result=version.retention_days_by_result,
            licence=version.licence,
            fee=version.fee,
            fee_min=version.fee_min,
            fee_max=version.fee_max,
            options=version.options,
        )
        audit_version(
            "solution.forked",
            draft,
            actor,
            forked_from={"solution": str(source.uuid), "number": version.number},
        )
    return fork


def go_live_today_or_later(value: date | None) -> str:
    """Why a go-live date cannot be chosen, or ""."""
    if value is not None and value < timezone.localdate():
        return _("The go-live date cannot lie in the past.")
    return ""
