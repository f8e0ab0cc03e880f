"""The attributes BundID sends, by their SAML formal names, and how Amtsweg reads them.

Names and formats follow the Schnittstellenbeschreibung BundID 10.2.0.0, chapter 6: attributes
are identified by their URN-notated formal name (``urn:oid:…``), never by the optional
FriendlyName. Each carries an ``akdb:TrustLevel`` saying how well BundID checked the value.

BundID identifies natural persons only; organisations log in through the separate "Mein
Unternehmenskonto" (MUK), with an ELSTER organisation certificate (BundID FAQ 2.1.8). Its
SAML attributes have plain German names: ``DatenkranzTyp`` is ``StNr`` for an organisation
certificate (issued for a tax number) and ``IdNr`` for a personal one, ``PersTyp`` is
``NNatPers`` for a legal person, ``Firmenname`` names the organisation, ``Registerart``,
``Registernummer`` and ``Registergericht`` its register entry, ``StNr`` its tax number (as
mapped by Munich's public Keycloak configuration for the MUK, it-at-m/BayernID-Plugin,
``broker_mappers.json``). An organisation account is one with ``DatenkranzTyp`` ``StNr``.
Representatives identified across borders arrive with the eIDAS legal-person attributes
(eIDAS SAML Attribute Profile), which are read too. See README "Register with BundID".
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saml2.attribute_converter import AttributeConverter

EIDAS_LEGAL_PERSON = "http://eidas.europa.eu/attributes/legalperson/"
AKDB = "https://www.akdb.de/request/2018/09"
#: The XML attribute on each ``saml:Attribute`` that says how well BundID checked that value:
#: ``akdb:TrustLevel`` (values in ``trust.LEVEL_FOR_AKDB``), in ElementTree's notation.
TRUST_LEVEL = f"{{{AKDB}}}TrustLevel"

#: SAML formal name → the FriendlyName BundID gives it (used as the key inside Amtsweg).
FORMAL_NAMES: dict[str, str] = {
    "urn:oid:2.5.4.42": "givenName",
    "urn:oid:2.5.4.4": "surname",
    "urn:oid:0.9.2342.19200300.100.1.3": "mail",
    "urn:oid:2.5.4.16": "postalAddress",
    "urn:oid:2.5.4.17": "postalCode",
    "urn:oid:2.5.4.7": "localityName",
    "urn:oid:1.2.40.0.10.2.1.1.225599": "country",
    "urn:oid:1.2.40.0.10.2.1.1.55": "birthdate",
    "urn:oid:1.3.6.1.4.1.25484.494450.3": "bPK2",
    "urn:oid:1.2.40.0.10.2.1.1.261.94": "EID-CITIZEN-QAA-LEVEL",
    "urn:oid:2.5.4.18": "legacyPostkorbHandle",
    "urn:oid:1.3.6.1.4.1.25484.494450.2": "AssertionProvedBy",
    f"{EIDAS_LEGAL_PERSON}LegalName": "LegalName",
    f"{EIDAS_LEGAL_PERSON}LegalPersonIdentifier": "LegalPersonIdentifier",
    # Mein Unternehmenskonto: the names are plain words, formal and friendly alike.
    **{
        name: name
        for name in (
            "DatenkranzTyp",
            "PersTyp",
            "Firmenname",
            "Registerart",
            "Registernummer",
            "Registergericht",
            "StNr",
        )
    },
}

_FRIENDLY = {formal.lower(): friendly for formal, friendly in FORMAL_NAMES.items()}

#: The attributes that name the organisation and its identifier (for their trust levels).
ORGANISATION_NAME = ("Firmenname", "LegalName")
ORGANISATION_ID = (
    "Registerart",
    "Registernummer",
    "Registergericht",
    "StNr",
    "LegalPersonIdentifier",
)

#: What Amtsweg asks for (akdb:RequestedAttributes). Only the pseudonymous identifier is
#: required, as BundID recommends (chapter 9.2): a missing optional attribute must not end
#: the log-in; the form asks for it instead.
REQUESTED: list[tuple[str, bool]] = [
    ("urn:oid:1.3.6.1.4.1.25484.494450.3", True),  # bPK2
    ("urn:oid:2.5.4.42", False),
    ("urn:oid:2.5.4.4", False),
    ("urn:oid:1.2.40.0.10.2.1.1.55", False),
    ("urn:oid:2.5.4.16", False),
    ("urn:oid:2.5.4.17", False),
    ("urn:oid:2.5.4.7", False),
    ("urn:oid:1.2.40.0.10.2.1.1.225599", False),
    ("urn:oid:0.9.2342.19200300.100.1.3", False),
    ("urn:oid:1.2.40.0.10.2.1.1.261.94", False),
]


def converter() -> "AttributeConverter":
    """The pysaml2 attribute converter for BundID's URI-named attributes, both directions."""
    from saml2.attribute_converter import AttributeConverter
    from saml2.saml import NAME_FORMAT_URI

    convert = AttributeConverter(NAME_FORMAT_URI)
    # Both directions given: derived from "fro", pysaml2 would send the formal names in lower
    # case, which breaks case-sensitive names (eIDAS, Mein Unternehmenskonto).
    convert.from_dict(
        {
            "identifier": NAME_FORMAT_URI,
            "fro": dict(FORMAL_NAMES),
            "to": {friendly: formal for formal, friendly in FORMAL_NAMES.items()},
        }
    )
    return convert


def friendly_name(formal_name: str) -> str:
    """The FriendlyName Amtsweg uses for an attribute's formal name (compared without case, as
    pysaml2 does), else the formal name itself."""
    return _FRIENDLY.get(formal_name.strip().lower(), formal_name)


def trust_levels(assertion: Any) -> dict[str, str]:
    """The ``akdb:TrustLevel`` of each attribute of a verified assertion, by FriendlyName (as
    in ``FORMAL_NAMES``; unknown attributes by their formal name); attributes without one are
    left out. Read from the assertion pysaml2 has verified and decrypted, never from the raw
    response."""
    levels: dict[str, str] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            level = (attribute.extension_attributes or {}).get(TRUST_LEVEL)
            if level:
                levels[friendly_name(attribute.name)] = level.strip()
    return levels


def first(ava: dict[str, list[Any]], friendly_name: str) -> str:
    """The first value of an attribute as text, "" when absent.

    pysaml2 lower-cases unknown names, so both spellings are tried.
    """
    values = ava.get(friendly_name) or ava.get(friendly_name.lower()) or []
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def organisation(ava: dict[str, list[Any]]) -> tuple[str, str] | None:
    """``(name, identifier)`` of the organisation an account acts for, None for a person.

    An MUK organisation certificate (``DatenkranzTyp`` ``StNr``) is identified by its register
    entry ("HRB 12345 Darmstadt"), without one (a sole trader, an association not registered)
    by its tax number; a sole trader without a company name by their own name. An eIDAS
    legal person is identified by its LegalPersonIdentifier.
    """
    if first(ava, "DatenkranzTyp").lower() == "stnr":
        register = " ".join(
            part
            for part in (
                first(ava, "Registerart"),
                first(ava, "Registernummer"),
                first(ava, "Registergericht"),
            )
            if part
        )
        tax_number = first(ava, "StNr")
        identifier = register or (f"StNr {tax_number}" if tax_number else "")
        person = " ".join(
            part for part in (first(ava, "givenName"), first(ava, "surname")) if part
        )
        return first(ava, "Firmenname") or person, identifier
    legal_id = first(ava, "LegalPersonIdentifier")
    if legal_id:
        return first(ava, "LegalName"), legal_id
    return None


def split_street(postal_address: str) -> tuple[str, str]:
    """BundID sends street and house number as one ``postalAddress`` ("HEIDESTRASSE 17");
    split off a trailing house number ("17", "12a", "12-14") where there is one."""
    words = postal_address.strip().split()
    if len(words) >= 2 and words[-1][:1].isdigit():
        return " ".join(words[:-1]), words[-1]
    return postal_address.strip(), ""
