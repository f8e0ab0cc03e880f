"""The attributes BundID sends, by their SAML formal names, and how Amtsweg reads them.

Names and formats follow the Schnittstellenbeschreibung BundID 10.2.0.0, chapter 6: attributes
are identified by their URN-notated formal name (``urn:oid:…``), never by the optional
FriendlyName. BundID identifies natural persons only; organisations log in through the
separate "Mein Unternehmenskonto" (BundID FAQ 2.1.8). For an organisation representative
Amtsweg reads the eIDAS legal-person attributes (eIDAS SAML Attribute Profile), which the
bundled test identity provider sends; see README "Register with BundID".
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saml2.attribute_converter import AttributeConverter

EIDAS_LEGAL_PERSON = "http://eidas.europa.eu/attributes/legalperson/"

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
}

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
    convert.from_dict({"identifier": NAME_FORMAT_URI, "fro": dict(FORMAL_NAMES)})
    return convert


def first(ava: dict[str, list[Any]], friendly_name: str) -> str:
    """The first value of an attribute as text, "" when absent.

    pysaml2 lower-cases unknown names, so both spellings are tried.
    """
    values = ava.get(friendly_name) or ava.get(friendly_name.lower()) or []
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def split_street(postal_address: str) -> tuple[str, str]:
    """BundID sends street and house number as one ``postalAddress`` ("HEIDESTRASSE 17");
    split off a trailing house number ("17", "12a", "12-14") where there is one."""
    words = postal_address.strip().split()
    if len(words) >= 2 and words[-1][:1].isdigit():
        return " ".join(words[:-1]), words[-1]
    return postal_address.strip(), ""
