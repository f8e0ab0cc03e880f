"""Demo form: registering a dog for the dog tax (Hundesteuer – Anmeldung eines Hundes).

Invented for the demo; the questions follow what Hessian municipalities' dog-tax statutes
(Hundesteuersatzungen) typically ask. A "Listenhund" is a dog presumed dangerous by breed under
the Hessian Hundeverordnung; such dogs are usually taxed at a higher rate.
"""

import datetime
from typing import Any

from amtsweg.demo.forms.common import (
    DemoApplicant,
    applicant_answers,
    applicant_fields,
    field,
    hint,
    step,
)

DEFINITION: dict[str, Any] = {
    "schema_version": 1,
    "steps": [
        step("halter", "Halterin oder Halter", "Dog owner", [
            *applicant_fields(),
            field("date", "owner_birth_date", "Geburtsdatum", "Date of birth",
                  not_after_today=True, autocomplete="bday"),
        ]),
        step("hund", "Angaben zu den Hunden", "About the dogs", [
            {
                "key": "dogs",
                "type": "group",
                "label": {"de": "Hunde", "en": "Dogs"},
                "item_label": {"de": "Hund", "en": "Dog"},
                "help": hint("Geben Sie jeden Hund an, den Sie neu anmelden.",
                             "List every dog you are registering."),
                "repeatable": True,
                "min_items": 1,
                "max_items": 5,
                "fields": [
                    field("text", "name", "Name des Hundes", "Dog's name", max_length=60),
                    field("text", "breed", "Rasse", "Breed", max_length=100,
                          help=hint("Bei Mischlingen bitte die erkennbaren Rassen angeben.",
                                    "For mixed breeds, name the breeds you can recognise.")),
                    field("date", "birth_date", "Geburtsdatum des Hundes (ungefähr)",
                          "Dog's date of birth (approximately)", required=False,
                          not_after_today=True),
                    field("date", "kept_since", "Beginn der Haltung", "Kept since",
                          not_after_today=True,
                          help=hint("Der Tag, an dem der Hund in Ihren Haushalt kam.",
                                    "The day the dog joined your household.")),
                    field("yesno", "listed", "Handelt es sich um einen Listenhund?",
                          "Is it a listed (presumed dangerous) breed?",
                          help=hint("Listenhunde im Sinne der Hessischen Hundeverordnung, "
                                    "z. B. American Staffordshire Terrier.",
                                    "Breeds listed in the Hessian dog ordinance, e.g. American "
                                    "Staffordshire Terrier.")),
                ],
            },
            {
                "key": "annual_tax",
                "type": "computed",
                "label": {"de": "Voraussichtliche Hundesteuer pro Jahr",
                          "en": "Expected dog tax per year"},
                "help": hint("Beispielsätze der Demo: 90 € je Hund, 900 € je Listenhund. "
                             "Der Bescheid setzt den genauen Betrag fest.",
                             "Demo rates: EUR 90 per dog, EUR 900 per listed dog. The "
                             "decision sets the exact amount."),
                "unit": "EUR",
                "value": {"reduce": [
                    {"var": "dogs"},
                    {"+": [{"var": "accumulator"},
                           {"if": [{"var": "current.listed"}, 900, 90]}]},
                    0,
                ]},
            },
        ]),
        {
            "key": "listenhund",
            "title": {"de": "Erlaubnis für Listenhunde", "en": "Permit for listed dogs"},
            "visible_if": {"some": [{"var": "dogs"}, {"var": "listed"}]},
            "fields": [
                field("text", "permit_number", "Nummer der Erlaubnis nach der HundeVO",
                      "Number of the permit under the dog ordinance", max_length=50),
                field("date", "permit_date", "Datum der Erlaubnis", "Date of the permit",
                      not_after_today=True),
            ],
        },
        step("befreiung", "Steuerbefreiung", "Tax exemption", [
            field("yesno", "exemption_requested", "Beantragen Sie eine Steuerbefreiung oder "
                  "-ermäßigung?", "Do you apply for an exemption or reduction?"),
            field("textarea", "exemption_reason", "Begründung der Befreiung",
                  "Reason for the exemption", required=False, max_length=1000,
                  visible_if={"==": [{"var": "exemption_requested"}, True]},
                  required_if={"==": [{"var": "exemption_requested"}, True]},
                  help=hint("Nur ausfüllen, wenn Sie eine Befreiung beantragen, z. B. für einen "
                            "Blindenführhund oder einen geprüften Rettungshund.",
                            "Only if you apply for an exemption, e.g. for a guide dog or a "
                            "certified rescue dog.")),
            field("file", "exemption_evidence", "Nachweise für die Befreiung",
                  "Evidence for the exemption", required=False, max_files=3, max_size_mb=10,
                  visible_if={"==": [{"var": "exemption_requested"}, True]},
                  help=hint("z. B. Schwerbehindertenausweis oder Prüfungszeugnis, als PDF, PNG "
                            "oder JPEG. Sie können Nachweise auch später nachreichen.",
                            "e.g. disability card or test certificate, as PDF, PNG or JPEG. "
                            "You can also send evidence later.")),
        ]),
    ],
}  # fmt: skip


def sample_answers(
    person: DemoApplicant, postcode: str, city: str, today: datetime.date
) -> dict[str, Any]:
    """A complete, valid data set for the demo applications and the tests."""
    return {
        **applicant_answers(person, postcode, city),
        "owner_birth_date": "1984-05-17",
        "dogs": [
            {
                "name": "Bruno",
                "breed": "Labrador Retriever",
                "birth_date": (today - datetime.timedelta(days=400)).isoformat(),
                "kept_since": (today - datetime.timedelta(days=14)).isoformat(),
                "listed": False,
            }
        ],
        "annual_tax": "90.00",
        "exemption_requested": False,
    }


#: Answers of a careful applicant, for the scenarios (fixed dates: kept_since lies in the past
#: on every day the scenarios run).
_BRUNO = {
    "name": "Bruno",
    "breed": "Labrador Retriever",
    "kept_since": "2024-03-01",
    "listed": False,
}
_REX = {
    "name": "Rex",
    "breed": "American Staffordshire Terrier",
    "kept_since": "2024-06-01",
    "listed": True,
}

# The form's promises, checked by amtsweg.forms.scenarios (and in the test suite).
DEFINITION["scenarios"] = [
    {
        "name": "Ein Hund, kein Listenhund: keine Seite für die Erlaubnis, 90 € Steuer",
        "answers": {"dogs": [_BRUNO]},
        "expect": {"hidden_steps": ["listenhund"], "values": {"annual_tax": "90.00"}},
    },
    {
        "name": "Ein normaler Hund und ein Listenhund: Erlaubnis ist Pflicht, 990 € Steuer",
        "answers": {"dogs": [_BRUNO, _REX]},
        "expect": {
            "visible_steps": ["listenhund"],
            "required": ["permit_number", "permit_date"],
            "values": {"annual_tax": "990.00", "dogs.1.listed": True},
        },
    },
    {
        "name": "Befreiung beantragt: die Begründung ist Pflicht",
        "answers": {"exemption_requested": True},
        "expect": {
            "visible": ["exemption_reason"],
            "required": ["exemption_reason"],
            "valid": False,
            "errors": ["exemption_reason"],
        },
    },
    {
        "name": "Keine Befreiung beantragt: keine Begründung",
        "answers": {"exemption_requested": False},
        "expect": {"hidden": ["exemption_reason"]},
    },
    {
        "name": "Vollständige Anmeldung eines Hundes ist gültig",
        "answers": {
            **applicant_answers(
                DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345"),
                "64283",
                "Darmstadt",
            ),
            "owner_birth_date": "1984-05-17",
            "dogs": [_BRUNO],
            "exemption_requested": False,
        },
        "expect": {"valid": True, "hidden_steps": ["listenhund"]},
    },
]
