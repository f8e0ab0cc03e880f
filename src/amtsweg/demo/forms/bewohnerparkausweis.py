"""Demo form: applying for a residents' parking permit (Bewohnerparkausweis, § 45 Abs. 1b StVO).

Invented for the demo. Only people whose main residence lies in a residents' parking zone get a
permit, for one vehicle they own or may use permanently.
"""

import copy
import datetime
from typing import Any

from amtsweg.demo.forms.common import (
    DemoApplicant,
    applicant_answers,
    applicant_fields,
    field,
    hint,
    notice,
    option,
    step,
)

DEFINITION: dict[str, Any] = {
    "schema_version": 1,
    "steps": [
        step("antragsteller", "Antragstellerin oder Antragsteller", "Applicant", [
            notice("residence_notice", ("Voraussetzung", "Requirement"), (
                "Einen Bewohnerparkausweis erhält nur, wer im Bewohnerparkgebiet mit "
                "Hauptwohnsitz gemeldet ist.",
                "Only people whose registered main residence lies in the residents' parking "
                "zone can get a permit.")),
            *applicant_fields(street_help=(
                "Ihre gemeldete Anschrift im Bewohnerparkgebiet.",
                "Your registered address in the residents' parking zone."), from_bundid=True),
        ]),
        step("fahrzeug", "Fahrzeug", "Vehicle", [
            field("text", "licence_plate", "Amtliches Kennzeichen", "Licence plate",
                  max_length=12, help=hint("z. B. DA-AB 1234", "e.g. DA-AB 1234")),
            field("choice", "vehicle_kind", "Fahrzeugart", "Kind of vehicle", options=[
                option("pkw", "Personenkraftwagen", "Car"),
                option("kraftrad", "Kraftrad", "Motorcycle"),
                option("nutzfahrzeug", "Leichtes Nutzfahrzeug bis 3,5 t",
                       "Light commercial vehicle up to 3.5 t"),
            ]),
            field("yesno", "registered_keeper", "Sind Sie Halterin oder Halter des Fahrzeugs?",
                  "Are you the registered keeper of the vehicle?"),
            field("textarea", "use_right", "Nutzungsberechtigung", "Right to use the vehicle",
                  required=False, max_length=500,
                  visible_if={"==": [{"var": "registered_keeper"}, False]},
                  required_if={"==": [{"var": "registered_keeper"}, False]},
                  help=hint("Sie sind nicht Halter: z. B. Firmenwagen oder Leasing. "
                            "Einen Nachweis fordern wir gegebenenfalls nach.",
                            "Only if you are not the keeper: e.g. company or leased car. We "
                            "may ask for proof later.")),
            field("file", "registration_certificate",
                  "Zulassungsbescheinigung Teil I (Fahrzeugschein)",
                  "Vehicle registration certificate, part I", required=False, max_files=1,
                  max_size_mb=10,
                  help=hint("Als PDF, PNG oder JPEG. Ohne sie fordern wir die Angaben "
                            "gegebenenfalls nach.",
                            "As PDF, PNG or JPEG. Without it we may ask for the details "
                            "later.")),
        ]),
        step("gueltigkeit", "Gültigkeit", "Validity", [
            field("date", "valid_from", "Gültig ab", "Valid from", not_before_today=True),
            field("choice", "duration", "Laufzeit", "Period", options=[
                option("6", "6 Monate", "6 months"),
                option("12", "12 Monate", "12 months"),
            ]),
            field("text", "parking_zone", "Bewohnerparkgebiet (falls bekannt)",
                  "Residents' parking zone (if known)", required=False, max_length=50),
        ]),
    ],
}  # fmt: skip


def sample_answers(
    person: DemoApplicant, postcode: str, city: str, today: datetime.date
) -> dict[str, Any]:
    """A complete, valid data set for the demo applications and the tests."""
    return {
        **applicant_answers(person, postcode, city),
        "licence_plate": "DA-AW 2026",
        "vehicle_kind": "pkw",
        "registered_keeper": True,
        "valid_from": (today + datetime.timedelta(days=7)).isoformat(),
        "duration": "12",
    }


# The form's promises, checked by amtsweg.forms.scenarios (and in the test suite). valid_from
# may not lie in the past, so the complete application uses a date far in the future.
DEFINITION["scenarios"] = [
    {
        "name": "Halterin des Fahrzeugs: keine Nutzungsberechtigung nötig",
        "answers": {"registered_keeper": True},
        "expect": {"hidden": ["use_right"]},
    },
    {
        "name": "Nicht Halter: die Nutzungsberechtigung ist Pflicht",
        "answers": {"registered_keeper": False},
        "expect": {
            "visible": ["use_right"],
            "required": ["use_right"],
            "valid": False,
            "errors": ["use_right"],
        },
    },
    {
        "name": "Vollständiger Antrag mit einem Firmenwagen ist gültig",
        "answers": {
            **applicant_answers(
                DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345"),
                "64283",
                "Darmstadt",
            ),
            "licence_plate": "DA-AW 2026",
            "vehicle_kind": "pkw",
            "registered_keeper": False,
            "use_right": "Firmenwagen meines Arbeitgebers, auch privat nutzbar.",
            "valid_from": "2099-04-01",
            "duration": "12",
        },
        "expect": {"valid": True, "visible": ["use_right"]},
    },
]


# Version 2 (amtsweg.demo.adoption): each adopting municipality chooses how the permit reaches
# the applicant. With "post" the form asks where to send it; with "abholung" it tells the
# applicant to collect it. The conditions read the offering's choice as ``$options.ausgabe``.
DELIVERY_OPTION: dict[str, Any] = {
    "key": "ausgabe",
    "label": hint("Ausgabe des Parkausweises", "How the permit is handed out"),
    "choices": [
        option("abholung", "Abholung im Bürgerbüro", "Collected at the citizens' office"),
        option("post", "Versand per Post", "Sent by post"),
    ],
    "default": "abholung",
}
BY_POST = {"==": [{"var": "$options.ausgabe"}, "post"]}
DELIVERY_STEP = step("versand", "Versand per Post", "Delivery by post", [
    field("yesno", "send_to_home", "An Ihre gemeldete Anschrift senden?",
          "Send it to your registered address?"),
    field("textarea", "postal_address", "Versandanschrift", "Postal address", required=False,
          max_length=300, visible_if={"==": [{"var": "send_to_home"}, False]},
          required_if={"==": [{"var": "send_to_home"}, False]}),
])  # fmt: skip
DELIVERY_STEP["visible_if"] = BY_POST
PICKUP_NOTICE = {
    **notice("pickup_notice", ("Abholung", "Collection"), (
        "Sie holen den Parkausweis im Bürgerbüro ab. Bringen Sie Ihren Personalausweis mit.",
        "You collect the permit at the citizens' office. Bring your identity card.")),
    "visible_if": {"==": [{"var": "$options.ausgabe"}, "abholung"]},
}  # fmt: skip
DELIVERY_SCENARIOS = [
    {
        "name": "Kommune versendet per Post: Versandschritt, Anschrift gefragt",
        "options": {"ausgabe": "post"},
        "answers": {"send_to_home": False},
        "expect": {
            "visible_steps": ["versand"],
            "hidden": ["pickup_notice"],
            "required": ["postal_address"],
        },
    },
    {
        "name": "Kommune lässt abholen: kein Versandschritt, Abholhinweis",
        "answers": {},
        "expect": {"hidden_steps": ["versand"], "visible": ["pickup_notice"]},
    },
]


def with_delivery(definition: dict[str, Any]) -> dict[str, Any]:
    """Version 2's form: ``definition`` with the delivery step and the collection notice."""
    steps = [s for s in copy.deepcopy(definition["steps"]) if s["key"] != "versand"]
    validity = next(s for s in steps if s["key"] == "gueltigkeit")
    validity["fields"] = [f for f in validity["fields"] if f["key"] != "pickup_notice"]
    validity["fields"].append(copy.deepcopy(PICKUP_NOTICE))
    steps.append(copy.deepcopy(DELIVERY_STEP))
    scenarios = [s for s in definition.get("scenarios", []) if "options" not in s]
    return {**definition, "steps": steps, "scenarios": scenarios + DELIVERY_SCENARIOS}
