"""The demo's services, the solutions Darmstadt publishes for them, and how each is offered.

The LeiKa rows come from ``data/services.csv`` (see ``data/SOURCES.md``); names of offices, fees
and processing times are invented for the demo.
"""

import csv
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amtsweg.demo.forms import bewohnerparkausweis, hundesteuer, sondernutzung
from amtsweg.demo.forms.common import DemoApplicant
from amtsweg.demo.municipalities import DATA_DIR, OBER_RAMSTADT_AGS

SampleAnswers = Callable[[DemoApplicant, str, str, datetime.date], dict[str, Any]]

CLUSTER_SLUG = "ikz-modellregion-darmstadt"
CLUSTER_NAME = "IKZ Modellregion Darmstadt"


@dataclass(frozen=True)
class DemoSolution:
    """One service with the solution built for it and the local settings every adopter uses."""

    slug: str
    leika_key: str
    service_name: str
    service_description: str
    solution_name: str
    summary: str
    definition: dict[str, Any]
    sample_answers: SampleAnswers
    processing_days: int
    offering_title: str
    offering_description: str
    office: str
    contact_mailbox: str
    fee: Decimal
    #: AGS of municipalities whose cases of this offering another member processes → its AGS.
    processed_elsewhere: dict[str, str]
    #: The trust level (BundID log-in) the solution needs; "none" allows anonymous applicants.
    trust_level: str = "none"


SOLUTIONS: list[DemoSolution] = [
    DemoSolution(
        slug="hundesteuer",
        leika_key="99102013002000",
        service_name="Hundesteuer – Anmeldung eines Hundes",
        service_description=(
            "Wer einen Hund hält, meldet ihn bei der Gemeinde zur Hundesteuer an; die Gemeinde "
            "setzt die Steuer nach ihrer Hundesteuersatzung fest (LeiKa: Hundesteuer "
            "Festsetzung)."
        ),
        solution_name="Hund zur Hundesteuer anmelden",
        summary="Online-Anmeldung eines Hundes mit Antrag auf Steuerbefreiung.",
        definition=hundesteuer.DEFINITION,
        sample_answers=hundesteuer.sample_answers,
        processing_days=14,
        offering_title="Hund anmelden (Hundesteuer)",
        offering_description=(
            "Melden Sie Ihren Hund innerhalb von zwei Wochen nach Beginn der Haltung an. Die "
            "Steuermarke und den Steuerbescheid erhalten Sie per Post."
        ),
        office="Steueramt",
        contact_mailbox="steueramt",
        fee=Decimal("0.00"),
        processed_elsewhere={},
    ),
    DemoSolution(
        slug="bewohnerparkausweis",
        leika_key="99108001001000",
        service_name="Bewohnerparkausweis Erteilung",
        service_description=(
            "Bewohnerinnen und Bewohner eines Bewohnerparkgebiets erhalten einen Ausweis, mit "
            "dem sie dort ohne Parkschein parken dürfen."
        ),
        solution_name="Bewohnerparkausweis beantragen",
        summary="Antrag auf einen Bewohnerparkausweis für 6 oder 12 Monate.",
        definition=bewohnerparkausweis.DEFINITION,
        sample_answers=bewohnerparkausweis.sample_answers,
        processing_days=10,
        offering_title="Bewohnerparkausweis beantragen",
        offering_description=(
            "Der Ausweis gilt für ein Fahrzeug in Ihrem Bewohnerparkgebiet. Sie erhalten ihn "
            "nach Zahlung der Gebühr per Post."
        ),
        office="Straßenverkehrsbehörde",
        contact_mailbox="strassenverkehr",
        fee=Decimal("30.00"),
        processed_elsewhere={},
        # Residence must be checked: log in with ELSTER or the Online-Ausweis (test IdP in demo).
        trust_level="substantial",
    ),
    DemoSolution(
        slug="sondernutzung",
        leika_key="99108012005000",
        service_name="Sondernutzung von Straßen Erlaubnis",
        service_description=(
            "Wer eine öffentliche Straße über den Gemeingebrauch hinaus nutzt, etwa für ein "
            "Gerüst, einen Container oder Außengastronomie, braucht eine Erlaubnis."
        ),
        solution_name="Sondernutzungserlaubnis beantragen",
        summary="Erlaubnis für Gerüste, Container, Umzüge, Werbeaufsteller und Außengastronomie.",
        definition=sondernutzung.DEFINITION,
        sample_answers=sondernutzung.sample_answers,
        processing_days=14,
        offering_title="Sondernutzungserlaubnis beantragen",
        offering_description=(
            "Beantragen Sie die Erlaubnis mindestens zwei Wochen, bevor Sie die Straße nutzen."
        ),
        office="Ordnungsamt",
        contact_mailbox="ordnungsamt",
        fee=Decimal("50.00"),
        # IKZ example: Ober-Ramstadt's Ordnungsamt works these cases for two smaller members.
        processed_elsewhere={"06432007": OBER_RAMSTADT_AGS, "06432013": OBER_RAMSTADT_AGS},
    ),
]


def leika_rows() -> dict[str, dict[str, str]]:
    """The packaged LeiKa rows by key: ``ozg_id`` and ``rechtsgrundlage`` feed the Service."""
    with (DATA_DIR / "services.csv").open(newline="", encoding="utf-8") as file:
        return {row["leika_key"]: row for row in csv.DictReader(file)}


#: Invented applicants for the demo applications; three per municipality are used.
DEMO_APPLICANTS: list[DemoApplicant] = [
    DemoApplicant("Anna", "Becker", "Hauptstraße 12", "+49 6151 0000-101"),
    DemoApplicant("Jonas", "Weber", "Schulstraße 4", "+49 6151 0000-102"),
    DemoApplicant("Leyla", "Yılmaz", "Am Sportplatz 7", "+49 6151 0000-103"),
    DemoApplicant("Matthias", "Schäfer", "Bahnhofstraße 23", "+49 6151 0000-104"),
    DemoApplicant("Sophie", "Krüger", "Lindenweg 3", "+49 6151 0000-105"),
    DemoApplicant("Piotr", "Nowak", "Gartenstraße 18", "+49 6151 0000-106"),
]
