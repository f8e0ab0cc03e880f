"""The demo's OZG progress: the shipped OZG catalogue, and what the six municipalities of the
Darmstadt cluster recorded beyond their live offerings (some services planned with a date,
some in progress, one online through another portal). Plans, dates and notes are invented.

Idempotent: the catalogue is loaded again only when the shipped file changed, and an entry
is recorded only where the municipality has none, so an admin's change stays.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from amtsweg.progress.catalogue import SHIPPED_CATALOGUE, load_catalogue, read_catalogue
from amtsweg.progress.models import CatalogueLoad, ImplementationState, OzgService
from amtsweg.progress.services import ProgressChange, record_progress
from amtsweg.tenants.models import Municipality

PLANNED, IN_PROGRESS, ONLINE = (
    ImplementationState.PLANNED,
    ImplementationState.IN_PROGRESS,
    ImplementationState.ONLINE,
)


@dataclass(frozen=True)
class DemoProgress:
    ozg_id: str
    state: str
    maturity: int
    planned_for: datetime.date | None = None
    note: str = ""


#: By AGS. 10124 Wohnsitzmeldungen, 10019 Kindertagesbetreuung, 10110 Abfallentsorgung,
#: 10244 Fundsachen, 10117 Grundsteuer, 10519 Baugenehmigung, 10026 Eheschließung.
PROGRESS: dict[str, list[DemoProgress]] = {
    "06411000": [  # Darmstadt
        DemoProgress(
            "10124", IN_PROGRESS, 1, datetime.date(2027, 3, 31), "Test mit dem Bürgerbüro."
        ),
        DemoProgress(
            "10019",
            PLANNED,
            1,
            datetime.date(2027, 8, 1),
            "Kita-Portal ersetzt das Papierformular.",
        ),
        DemoProgress("10244", ONLINE, 2, None, "Über das Fundbüro-Portal des Landes."),
        DemoProgress(
            "10519", IN_PROGRESS, 1, datetime.date(2027, 1, 15), "Digitaler Bauantrag Hessen."
        ),
    ],
    "06432007": [  # Fischbachtal
        DemoProgress("10110", PLANNED, 1, datetime.date(2027, 6, 30)),
        DemoProgress("10124", PLANNED, 0, datetime.date(2027, 9, 30)),
    ],
    "06432009": [  # Groß-Bieberau
        DemoProgress(
            "10110", IN_PROGRESS, 1, datetime.date(2027, 2, 28), "Nachnutzung aus Roßdorf geprüft."
        ),
        DemoProgress("10026", PLANNED, 1, datetime.date(2027, 12, 31)),
    ],
    "06432013": [  # Modautal
        DemoProgress("10117", PLANNED, 1, datetime.date(2027, 4, 30)),
    ],
    "06432016": [  # Ober-Ramstadt
        DemoProgress("10124", IN_PROGRESS, 1, datetime.date(2027, 5, 31)),
        DemoProgress("10244", PLANNED, 0, datetime.date(2027, 10, 1)),
        DemoProgress("10160", ONLINE, 4, None, "Befreiungsnachweise kommen aus dem Register."),
    ],
    "06432020": [  # Roßdorf
        DemoProgress("10110", ONLINE, 3, None, "Eigenes Abfallportal mit BundID."),
        DemoProgress("10019", IN_PROGRESS, 1, datetime.date(2027, 3, 1)),
    ],
}


def load_demo_catalogue() -> bool:
    """Load the shipped OZG catalogue unless the last load was this very file; returns
    whether it loaded."""
    shipped = read_catalogue(SHIPPED_CATALOGUE)
    last = CatalogueLoad.objects.first()
    if last is not None and [file["sha256"] for file in last.files] == [shipped.sha256]:
        return False
    load_catalogue([shipped])
    return True


def load_demo_progress(municipalities: dict[str, Municipality], admin_suffix: str) -> int:
    """Record ``PROGRESS`` where nothing is recorded yet, each by the municipality's demo
    admin (user ``<slug>-<admin_suffix>``) through ``record_progress``, so it is audited as
    any admin's entry would be; returns how many were recorded."""
    user_model = get_user_model()
    services = {service.ozg_id: service for service in OzgService.objects.all()}
    recorded = 0
    for ags, entries in PROGRESS.items():
        municipality = municipalities.get(ags)
        if municipality is None:
            continue
        admin = user_model._default_manager.get(
            **{user_model.USERNAME_FIELD: f"{municipality.slug}-{admin_suffix}"}
        )
        existing = set(municipality.ozg_progress.values_list("ozg_service__ozg_id", flat=True))
        for entry in entries:
            if entry.ozg_id in existing or entry.ozg_id not in services:
                continue
            record_progress(
                municipality,
                services[entry.ozg_id],
                ProgressChange(entry.state, entry.maturity, entry.planned_for, entry.note),
                actor=admin,
            )
            recorded += 1
    return recorded
