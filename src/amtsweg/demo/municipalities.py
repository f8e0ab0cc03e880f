"""The demo municipalities: keys from the packaged CSV, local settings invented for the demo.

AGS, ARS, names, kinds, postcodes and population come from ``data/municipalities.csv`` (see
``data/SOURCES.md``). The local settings below are not from a source: authority names follow the
Hessian Gemeindeordnung (a town is run by its Magistrat, a Gemeinde by its Gemeindevorstand;
the Kommunalaufsicht over district municipalities is the Landrat, over a kreisfreie Stadt the
Regierungspräsidium). Addresses other than Darmstadt's, phone numbers (the subscriber part
starts with 0, so no real line) and ``.example`` e-mail addresses are placeholders.
"""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"

DARMSTADT_AGS = "06411000"
OBER_RAMSTADT_AGS = "06432016"
_DISTRICT_SUPERVISION = (
    "Landrat des Landkreises Darmstadt-Dieburg als Behörde der Landesverwaltung"
)
_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


@dataclass(frozen=True)
class LocalSettings:
    """What a municipality sets up locally: reference prefix, imprint and contact data."""

    reference_prefix: str
    authority_name: str
    street: str
    postcode: str
    phone: str
    website: str
    represented_by: str
    supervisory_authority: str = _DISTRICT_SUPERVISION


LOCAL_SETTINGS: dict[str, LocalSettings] = {
    DARMSTADT_AGS: LocalSettings(
        "DA", "Magistrat der Wissenschaftsstadt Darmstadt", "Luisenplatz 5A", "64283",
        "+49 6151 0000-0", "https://www.darmstadt.de", "den Oberbürgermeister",
        "Regierungspräsidium Darmstadt",
    ),
    "06432007": LocalSettings(
        "FBT", "Gemeindevorstand der Gemeinde Fischbachtal", "Rathaus, Marktplatz 1", "64405",
        "+49 6166 0000-0", "https://www.fischbachtal.de", "den Bürgermeister",
    ),
    "06432009": LocalSettings(
        "GBB", "Magistrat der Stadt Groß-Bieberau", "Rathaus, Marktplatz 1", "64401",
        "+49 6162 0000-0", "https://www.gross-bieberau.de", "den Bürgermeister",
    ),
    "06432013": LocalSettings(
        "MOD", "Gemeindevorstand der Gemeinde Modautal", "Rathaus, Marktplatz 1", "64397",
        "+49 6254 0000-0", "https://www.modautal.de", "den Bürgermeister",
    ),
    OBER_RAMSTADT_AGS: LocalSettings(
        "ORA", "Magistrat der Stadt Ober-Ramstadt", "Rathaus, Marktplatz 1", "64372",
        "+49 6154 0000-0", "https://www.ober-ramstadt.de", "den Bürgermeister",
    ),
    "06432020": LocalSettings(
        "ROD", "Gemeindevorstand der Gemeinde Roßdorf", "Rathaus, Marktplatz 1", "64380",
        "+49 6154 0000-0", "https://www.rossdorf.de", "den Bürgermeister",
    ),
}  # fmt: skip


#: Accent colours for the demo (not the municipalities' own corporate design): each has at least
#: 4.5:1 against white, as ``tenants.colours`` demands. No logos are shipped.
ACCENT_COLOURS: dict[str, str] = {
    DARMSTADT_AGS: "#00549f",
    "06432007": "#1d6b2f",
    "06432009": "#9b1c1c",
    "06432013": "#2e6b1f",
    OBER_RAMSTADT_AGS: "#0b5394",
    "06432020": "#8a1538",
}
DEMO_OPENING_HOURS = "Mo–Fr 8:00–12:00 Uhr\nDo 14:00–18:00 Uhr"


def german_slug(name: str) -> str:
    """A URL slug that spells umlauts and ß the German way ("Groß-Bieberau" → "gross-bieberau")."""
    return slugify(name.translate(_TRANSLITERATION))


def plain_name(official_name: str) -> str:
    """The everyday name without the official suffix: "Groß-Bieberau, Stadt" → "Groß-Bieberau"."""
    return official_name.split(",", 1)[0].strip()


def municipality_rows() -> list[dict[str, str]]:
    """The rows of the packaged CSV, every value a string (keys keep their leading zeros)."""
    with (DATA_DIR / "municipalities.csv").open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def municipality_fields(row: dict[str, str]) -> dict[str, Any]:
    """The Municipality field values for one CSV row together with its local settings."""
    local = LOCAL_SETTINGS[row["ags"]]
    short_name = plain_name(row["name"])
    slug = german_slug(short_name)
    return {
        "name": row["name"],
        "short_name": short_name,
        "kind": row["kind"],
        "ars": row["ars"],
        "slug": slug,
        "reference_prefix": local.reference_prefix,
        "postcodes": row["postcodes"],
        "population": int(row["population"]) if row["population"] else None,
        "authority_name": local.authority_name,
        "street": local.street,
        "postcode": local.postcode,
        "city": short_name,
        "phone": local.phone,
        "email": f"rathaus@{slug}.example",
        "website": local.website,
        "represented_by": local.represented_by,
        "supervisory_authority": local.supervisory_authority,
        "accent_colour": ACCENT_COLOURS[row["ags"]],
        "opening_hours": DEMO_OPENING_HOURS,
    }
