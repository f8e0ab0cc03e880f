"""Demo form: permission for special use of public roads (Sondernutzungserlaubnis).

Invented for the demo: scaffolding, a skip, a removal, an advertising board or outdoor seating
on a public road needs a permit under the road laws (§ 8 FStrG, § 16 HStrG) and, for traffic
measures, an order under § 45/46 StVO.
"""

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
            *applicant_fields(phone_required=True),
            field("text", "company", "Firma (falls Sie für eine Firma beantragen)",
                  "Company (if you apply for one)", required=False, max_length=150,
                  autocomplete="organization"),
        ]),
        {**step("vorhaben", "Vorhaben", "Intended use", [
            field("choice", "use_kind", "Art der Sondernutzung", "Kind of use", options=[
                option("geruest", "Baugerüst", "Scaffolding"),
                option("container", "Container oder Mulde", "Container or skip"),
                option("umzug", "Umzug (Möbelwagen)", "Removal (furniture van)"),
                option("werbeaufsteller", "Werbeaufsteller", "Advertising board"),
                option("aussengastronomie", "Außengastronomie", "Outdoor seating"),
            ]),
            field("text", "location", "Ort (Straße, Hausnummer)", "Place (street, number)",
                  max_length=150),
            field("number", "area_sqm", "Benötigte Fläche in m²", "Area needed in m²",
                  min=1, max=10000),
            field("date", "start_date", "Beginn", "Start", not_before_today=True),
            field("date", "end_date", "Ende", "End", not_before_today=True),
            field("textarea", "details", "Beschreibung", "Description", required=False,
                  max_length=1000,
                  help=hint("z. B. Maße des Gerüsts, Anzahl der Tische, Uhrzeiten",
                            "e.g. size of the scaffolding, number of tables, times of day")),
        ]), "rules": [{
            "check": {">=": [{"var": "end_date"}, {"var": "start_date"}]},
            "field": "end_date",
            "message": hint("Das Ende darf nicht vor dem Beginn liegen. Prüfen Sie beide Daten.",
                            "The end cannot be before the start. Check both dates."),
        }]},
        {**step("hinweise", "Hinweise", "Notes", [
            notice("deadline_notice", ("Fristen", "Deadlines"), (
                "Bitte beantragen Sie die Erlaubnis mindestens zwei Wochen vor Beginn. Für ein "
                "Halteverbot stellen Sie die Schilder mindestens 72 Stunden vorher auf.",
                "Please apply at least two weeks before the start. For a no-parking zone, put "
                "up the signs at least 72 hours in advance.")),
            field("yesno", "traffic_order", "Wird ein Halteverbot oder eine Sperrung benötigt?",
                  "Do you need a no-parking zone or a closure?"),
            field("yesno", "notes_read", "Ich habe die Hinweise gelesen.",
                  "I have read the notes."),
        ]), "rules": [{
            "check": {"==": [{"var": "notes_read"}, True]},
            "field": "notes_read",
            "message": hint("Bitte lesen Sie die Hinweise und bestätigen Sie das mit „Ja“.",
                            "Please read the notes and confirm with “Yes”."),
        }]},
    ],
}  # fmt: skip


def sample_answers(
    person: DemoApplicant, postcode: str, city: str, today: datetime.date
) -> dict[str, Any]:
    """A complete, valid data set for the demo applications and the tests."""
    return {
        **applicant_answers(person, postcode, city),
        "use_kind": "container",
        "location": person.street,
        "area_sqm": 12,
        "start_date": (today + datetime.timedelta(days=21)).isoformat(),
        "end_date": (today + datetime.timedelta(days=28)).isoformat(),
        "traffic_order": True,
        "notes_read": True,
    }


#: Start and end far in the future: both may not lie in the past on the day the scenarios run.
_USE = {
    "use_kind": "container",
    "location": "Luisenplatz 5",
    "area_sqm": 12,
    "start_date": "2099-06-01",
    "end_date": "2099-06-08",
}

# The form's promises, checked by amtsweg.forms.scenarios (and in the test suite).
DEFINITION["scenarios"] = [
    {
        "name": "Ende vor dem Beginn: Fehler am Ende",
        "answers": {**_USE, "start_date": "2099-06-10", "end_date": "2099-06-01"},
        "expect": {"valid": False, "errors": ["end_date"]},
    },
    {
        "name": "Hinweise nicht bestätigt: Fehler an der Bestätigung",
        "answers": {"traffic_order": False, "notes_read": False},
        "expect": {"valid": False, "errors": ["notes_read"]},
    },
    {
        "name": "Vollständiger Antrag ist gültig",
        "answers": {
            **applicant_answers(
                DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345"),
                "64283",
                "Darmstadt",
            ),
            **_USE,
            "traffic_order": True,
            "notes_read": True,
        },
        "expect": {"valid": True},
    },
]
