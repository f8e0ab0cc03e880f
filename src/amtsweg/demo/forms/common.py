"""Building blocks shared by the demo form definitions: field builders and the applicant's fields.

Each demo form asks for the applicant in the same way, so those fields are built here once; the
keys are the same in every form (they only have to be unique within one form). The definitions
are plain data in the format of ``amtsweg.forms.services`` (schema_version 1).
"""

import unicodedata
from dataclasses import dataclass
from typing import Any

Field = dict[str, Any]


@dataclass(frozen=True)
class DemoApplicant:
    """An invented person whose answers fill the demo applications (e-mail on example.org)."""

    given_name: str
    family_name: str
    street: str
    phone: str

    @property
    def email(self) -> str:
        local = f"{self.given_name}.{self.family_name}".lower()
        for letter, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i")):
            local = local.replace(letter, plain)
        ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
        return f"{ascii_local.replace(' ', '-')}@example.org"


def field(
    type_name: str, key: str, de: str, en: str, *, required: bool = True, **extra: Any
) -> Field:
    """One field definition with a German and an English label; ``extra`` goes in unchanged."""
    return {
        "key": key,
        "type": type_name,
        "label": {"de": de, "en": en},
        "required": required,
        **extra,
    }


def option(value: str, de: str, en: str) -> dict[str, Any]:
    return {"value": value, "label": {"de": de, "en": en}}


def hint(de: str, en: str) -> dict[str, str]:
    return {"de": de, "en": en}


def notice(key: str, title: tuple[str, str], body: tuple[str, str]) -> Field:
    """A notice block: the template shows ``label`` as its title and ``help`` as its text."""
    return {"key": key, "type": "notice", "label": hint(*title), "help": hint(*body)}


def step(key: str, de: str, en: str, fields: list[Field]) -> dict[str, Any]:
    return {"key": key, "title": {"de": de, "en": en}, "fields": fields}


def applicant_fields(
    *,
    phone_required: bool = False,
    street_help: tuple[str, str] | None = None,
    from_bundid: bool = False,
) -> list[Field]:
    """Name and e-mail (marked as the form's applicant attributes), phone and postal address.

    ``from_bundid`` prefills them from the BundID log-in and locks name and address, for
    services that need a checked identity (trust level substantial or higher).
    """
    street = field(
        "text", "street", "Straße und Hausnummer", "Street and house number",
        autocomplete="street-address", max_length=150,
    )  # fmt: skip
    if street_help:
        street["help"] = hint(*street_help)
    fields = [
        field("text", "given_name", "Vorname", "Given name",
              applicant="given_name", autocomplete="given-name", max_length=100),
        field("text", "family_name", "Familienname", "Family name",
              applicant="family_name", autocomplete="family-name", max_length=100),
        field("email", "email", "E-Mail-Adresse", "E-mail address",
              applicant="email", autocomplete="email",
              help=hint("An diese Adresse senden wir die Eingangsbestätigung.",
                        "We send the confirmation of receipt to this address.")),
        field("text", "phone", "Telefon für Rückfragen", "Phone for queries",
              required=phone_required, autocomplete="tel", max_length=30),
        street,
        field("postcode", "postcode", "Postleitzahl", "Postcode", autocomplete="postal-code"),
        field("text", "city", "Ort", "Town", autocomplete="address-level2", max_length=100),
    ]  # fmt: skip
    if from_bundid:
        sources = {
            "given_name": ("bundid.given_name", True),
            "family_name": ("bundid.family_name", True),
            "email": ("bundid.email", False),
            "street": ("bundid.street_and_number", True),
            "postcode": ("bundid.postcode", True),
            "city": ("bundid.city", True),
        }
        for item in fields:
            if item["key"] in sources:
                source, locked = sources[item["key"]]
                item.update(prefill=source, locked=locked)
    return fields


def applicant_answers(person: DemoApplicant, postcode: str, city: str) -> dict[str, Any]:
    """The answers to ``applicant_fields`` for ``person`` living in ``postcode``/``city``."""
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "phone": person.phone,
        "street": person.street,
        "postcode": postcode,
        "city": city,
    }
