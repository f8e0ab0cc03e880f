"""The demo's Einer-für-Alle story: the Darmstadt cluster at different versions.

- Hundesteuer: Darmstadt publishes version 2 (an optional chip number, a configurable choice of
  payment interval, a fee range); Darmstadt and Modautal switched, the others still use
  version 1 and see "update available".
- Sondernutzung: version 2 is a required legal update (new data-protection notice) with a
  deadline four weeks from the first demo load; Roßdorf switched, the others see the deadline.
- Bewohnerparkausweis: version 2 lets each adopter choose how the permit is handed out (option
  ``ausgabe``, read by the form's conditions): Modautal sends it by post, so its applicants get
  a delivery step; Roßdorf has it collected, so its applicants see a collection notice instead.
  Darmstadt and the others still use version 1. Ober-Ramstadt forked it for its own parking
  zones (its own published solution that records where it came from).
- A few offerings carry local texts: opening hours, a contact block, a hint on a step, an IBAN.

Idempotent like the rest of the demo: versions are created only when missing (published ones
never change), offerings are switched only while they are still on version 1 (an option is set only
at that switch, so an admin's later choice stays), the fork only when Ober-Ramstadt has none.
"""

import copy
import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from amtsweg.catalog.adoption import fork_solution
from amtsweg.catalog.models import Offering, Solution, SolutionVersion, VersionStatus
from amtsweg.catalog.versions import switch_version
from amtsweg.demo.forms.bewohnerparkausweis import DELIVERY_OPTION, with_delivery
from amtsweg.demo.municipalities import DARMSTADT_AGS, OBER_RAMSTADT_AGS
from amtsweg.tenants.models import Municipality

MODAUTAL_AGS = "06432013"
ROSSDORF_AGS = "06432020"
#: Demo IBANs with valid check digits (the example account of the German banks' association).
DEMO_IBAN = "DE02120300000000202051"

PAYMENT_OPTION = {
    "key": "zahlweise",
    "label": {"de": "Zahlungsweise der Hundesteuer", "en": "Dog tax payment interval"},
    "choices": [
        {"value": "jaehrlich", "label": {"de": "jährlich zum 1. Juli", "en": "yearly on 1 July"}},
        {"value": "quartal", "label": {"de": "vierteljährlich", "en": "quarterly"}},
    ],
    "default": "jaehrlich",
}
PRIVACY_NOTICE = {
    "key": "privacy_notice",
    "type": "notice",
    "text": {
        "de": "Ihre Angaben werden nach § 16 HSOG und der Sondernutzungssatzung verarbeitet "
        "und nach Abschluss des Verfahrens gelöscht.",
        "en": "Your data is processed under § 16 HSOG and the special-use statute and "
        "deleted when the procedure has ended.",
    },
}


def _next_version(
    first: SolutionVersion, definition: dict[str, Any], operator: Any, **settings: Any
) -> SolutionVersion:
    """Version 2 of ``first``'s solution, published and approved by the demo operator; the
    existing one when the demo ran before."""
    existing = SolutionVersion.objects.filter(solution=first.solution, number=2).first()
    if existing is not None:
        return existing
    version = SolutionVersion(
        solution=first.solution,
        number=2,
        form_definition=definition,
        workflow=first.workflow,
        trust_level=first.trust_level,
        processing_days=first.processing_days,
        retention_days=first.retention_days,
        approved_by=operator,
        **settings,
    )
    version.full_clean()
    version.save()
    version.publish()
    return version


def _dog_tax_v2(first: SolutionVersion, operator: Any) -> SolutionVersion:
    definition = copy.deepcopy(first.form_definition)
    holder = definition["steps"][0]
    if not any(field["key"] == "chip_number" for field in holder["fields"]):
        holder["fields"].append(
            {
                "key": "chip_number",
                "type": "text",
                "label": {"de": "Chipnummer des Hundes", "en": "Dog's microchip number"},
                "help": {"de": "15 Ziffern, steht im Impfpass.", "en": "15 digits."},
            }
        )
    return _next_version(
        first,
        definition,
        operator,
        release_notes="Optionale Chipnummer; Zahlungsweise je Kommune wählbar; Gebühr 0–10 €.",
        options=[PAYMENT_OPTION],
        fee=Decimal("0"),
        fee_min=Decimal("0"),
        fee_max=Decimal("10"),
    )


def _special_use_v2(first: SolutionVersion, operator: Any) -> SolutionVersion:
    definition = copy.deepcopy(first.form_definition)
    notices = definition["steps"][-1]
    if not any(field["key"] == PRIVACY_NOTICE["key"] for field in notices["fields"]):
        notices["fields"].insert(0, copy.deepcopy(PRIVACY_NOTICE))
    return _next_version(
        first,
        definition,
        operator,
        release_notes="Neuer Datenschutzhinweis nach der geänderten Sondernutzungssatzung.",
        required_by=timezone.localdate() + datetime.timedelta(days=28),
        required_reason="Rechtsänderung: Datenschutzhinweis der neuen Sondernutzungssatzung",
    )


def _parking_v2(first: SolutionVersion, operator: Any) -> SolutionVersion:
    return _next_version(
        first,
        with_delivery(first.form_definition),
        operator,
        release_notes="Ausgabe je Kommune wählbar: Abholung im Bürgerbüro oder Versand per Post.",
        options=[DELIVERY_OPTION],
    )


def _switch(
    offering: Offering,
    version: SolutionVersion,
    admin: Any,
    options: dict[str, str] | None = None,
) -> bool:
    """Move ``offering`` to ``version`` with the option values ``options``, unless it is there
    already."""
    if offering.solution_version.number >= version.number:
        return False
    switched = switch_version(offering, version, actor=admin)
    if options:
        switched.option_values = {**switched.option_values, **options}
        switched.local_settings_check(version)
        switched.save(update_fields=["option_values"])
    return True


def _local_texts(offering: Offering) -> None:
    """Modautal's dog tax: opening hours, a contact block, a hint on the dog step, an IBAN."""
    if offering.opening_hours:
        return
    Offering.objects.filter(pk=offering.pk).update(
        opening_hours="Mo–Fr 8–12 Uhr, Do 14–18 Uhr",
        contact_block="Gemeindeverwaltung Modautal, Steueramt, Zimmer 3",
        step_hints={"hund": "Bitte halten Sie den Impfpass Ihres Hundes bereit."},
        iban=DEMO_IBAN,
        account_holder="Gemeinde Modautal",
    )


def _publish_fork(draft: SolutionVersion, operator: Any) -> None:
    """Ober-Ramstadt's own parking zones, published so the fork shows in the library."""
    for step in draft.form_definition["steps"]:
        for field in step["fields"]:
            if field["key"] == "parking_zone":
                field["label"] = {
                    "de": "Bewohnerparkzone in Ober-Ramstadt (A Altstadt, B Bahnhof)",
                    "en": "Residents' parking zone in Ober-Ramstadt (A old town, B station)",
                }
    draft.release_notes = "Abgespalten von Darmstadts Lösung: eigene Parkzonen."
    draft.approved_by = operator
    draft.full_clean()
    draft.save()
    draft.publish()


def load_adoption(
    municipalities: dict[str, Municipality], versions: dict[str, SolutionVersion]
) -> dict[str, int]:
    """Create the versions, switches, local texts and fork described in the module docstring;
    returns what this run changed."""
    operator = get_user_model()._default_manager.filter(is_superuser=True).order_by("pk").first()
    admins = {
        ags: municipality.memberships.filter(role="admin").select_related("user").first()
        for ags, municipality in municipalities.items()
    }
    dog_v2 = _dog_tax_v2(versions["hundesteuer"], operator)
    special_v2 = _special_use_v2(versions["sondernutzung"], operator)
    parking_v2 = _parking_v2(versions["bewohnerparkausweis"], operator)
    switched = 0
    for ags, version, slug, options in (
        (DARMSTADT_AGS, dog_v2, "hundesteuer", None),
        (MODAUTAL_AGS, dog_v2, "hundesteuer", None),
        (ROSSDORF_AGS, special_v2, "sondernutzung", None),
        (MODAUTAL_AGS, parking_v2, "bewohnerparkausweis", {"ausgabe": "post"}),
        (ROSSDORF_AGS, parking_v2, "bewohnerparkausweis", {"ausgabe": "abholung"}),
    ):
        offering = Offering.objects.filter(municipality=municipalities[ags], slug=slug).first()
        if offering is not None and admins[ags] is not None:
            switched += _switch(offering, version, admins[ags].user, options)
    modautal_dog = Offering.objects.filter(
        municipality=municipalities[MODAUTAL_AGS], slug="hundesteuer"
    ).first()
    if modautal_dog is not None:
        _local_texts(modautal_dog)
    forked = 0
    ober_ramstadt = municipalities[OBER_RAMSTADT_AGS]
    parking = versions["bewohnerparkausweis"]
    if (
        admins[OBER_RAMSTADT_AGS] is not None
        and not Solution.objects.filter(publisher=ober_ramstadt, forked_from=parking).exists()
        and parking.status == VersionStatus.PUBLISHED
    ):
        fork = fork_solution(parking, ober_ramstadt, actor=admins[OBER_RAMSTADT_AGS].user)
        _publish_fork(fork.versions.get(number=1), operator)
        forked = 1
    return {"switched": switched, "forked": forked}
