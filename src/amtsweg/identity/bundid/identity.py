"""The logged-in citizen as the rest of Amtsweg sees them: a small, serialisable record.

It lives in the session (JSON), so every web process behind a load balancer reads the same
log-in; nothing about a citizen is kept in process memory.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid import attributes, trust


@dataclass(frozen=True)
class Organisation:
    """The company or organisation a representative acts for."""

    name: str
    identifier: str


#: Which attributes (by FriendlyName) each prefill value comes from; its trust level is the
#: weakest of theirs.
SOURCES: dict[str, tuple[str, ...]] = {
    "given_name": ("givenName",),
    "family_name": ("surname",),
    "birth_date": ("birthdate",),
    "street": ("postalAddress",),
    "house_number": ("postalAddress",),
    "street_and_number": ("postalAddress",),
    "postcode": ("postalCode",),
    "city": ("localityName",),
    "email": ("mail",),
    "address": ("postalAddress", "postalCode", "localityName"),
    "organisation_name": attributes.ORGANISATION_NAME,
    "organisation_id": attributes.ORGANISATION_ID,
}


@dataclass(frozen=True)
class Prefill:
    """What a form may take from the identity for one solution: all ``values``, and the keys
    of those whose trust level is high enough to be ``lockable``."""

    values: dict[str, Any]
    lockable: frozenset[str]


@dataclass(frozen=True)
class CitizenIdentity:
    """What one BundID log-in told us about the person (and, for an organisation account,
    whom they represent). ``pseudonym`` is the bPK2: stable per person and per service
    provider, so it identifies the citizen account without any other personal data."""

    pseudonym: str
    trust_level: str
    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    organisation: Organisation | None = None
    #: For single logout: who BundID said this was, and which of its sessions.
    name_id: str = ""
    name_id_format: str = ""
    session_index: str = ""
    idp_entity_id: str = ""
    #: The trust level BundID gave each attribute (``akdb:TrustLevel``), by FriendlyName, as
    #: Amtsweg's levels; an attribute without one counts at the log-in's level.
    attribute_levels: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def is_organisation(self) -> bool:
        return self.organisation is not None

    def satisfies(self, required_level: str) -> bool:
        return trust.satisfies(self.trust_level, required_level)

    def attributes(self) -> dict[str, Any]:
        """The values form fields can be prefilled from (``prefill: "bundid.<name>"``).

        Empty values are left out, so that a form asks for what the account did not have.
        """
        address = {
            "street": self.street,
            "house_number": self.house_number,
            "postcode": self.postcode,
            "city": self.city,
        }
        values: dict[str, Any] = {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date,
            "street": self.street,
            "house_number": self.house_number,
            "street_and_number": " ".join(p for p in (self.street, self.house_number) if p),
            "postcode": self.postcode,
            "city": self.city,
            "email": self.email,
            "address": {k: v for k, v in address.items() if v} if all(address.values()) else {},
            "organisation_name": self.organisation.name if self.organisation else "",
            "organisation_id": self.organisation.identifier if self.organisation else "",
        }
        return {key: value for key, value in values.items() if value}

    def attribute_level(self, key: str) -> str:
        """The trust level of the prefill value ``key``: the weakest of the attributes it is
        made of (an address is only as good as its least checked part)."""
        sources = SOURCES.get(key, ())
        return trust.lowest(
            [self.attribute_levels.get(name, self.trust_level) for name in sources]
        )

    def prefill(self, required_level: str) -> Prefill:
        """The values for a form of a solution that needs ``required_level``.

        Every value is offered, but only those whose own trust level reaches
        ``required_level`` may be locked. A value below it (say, an e-mail address or an
        address the citizen typed into their account themselves, while the solution needs an
        ELSTER certificate or the eID) is still filled in, because it is usually right and
        saves typing, but stays editable: locking it would present an unchecked value as one
        the office can rely on at the solution's level, and the citizen could not correct it.
        Edited, it is the citizen's own statement like any other answer.
        """
        values = self.attributes()
        lockable = frozenset(
            key for key in values if trust.satisfies(self.attribute_level(key), required_level)
        )
        return Prefill(values, lockable)

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> "CitizenIdentity | None":
        """The identity stored by ``to_session``; None for anything that is not one."""
        if not isinstance(data, dict) or not data.get("pseudonym"):
            return None
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        organisation = values.get("organisation")
        values["organisation"] = (
            Organisation(**organisation) if isinstance(organisation, dict) else None
        )
        levels = values.get("attribute_levels")
        values["attribute_levels"] = dict(levels) if isinstance(levels, dict) else {}
        return cls(**values)


def identity_from_assertion(
    ava: dict[str, list[Any]],
    *,
    class_ref: str,
    name_id: str = "",
    name_id_format: str = "",
    session_index: str = "",
    idp_entity_id: str = "",
    attribute_levels: dict[str, str] | None = None,
) -> CitizenIdentity:
    """Map the attributes of a verified assertion to a ``CitizenIdentity``.

    The trust level reached is the assertion's AuthnContextClassRef; where that is missing or
    unknown, the EID-CITIZEN-QAA-LEVEL attribute. ``attribute_levels`` are the attributes'
    ``akdb:TrustLevel`` values by FriendlyName; an unknown value counts as none (never
    locked), and no attribute counts above the log-in itself. Raises ``ValueError`` without a
    bPK2.
    """
    first = attributes.first
    pseudonym = first(ava, "bPK2")
    if not pseudonym:
        raise ValueError("The assertion carries no bPK2 (pseudonymous identifier).")
    level = trust.level_from_stork(class_ref)
    if level == TrustLevel.NONE:
        level = trust.level_from_stork(first(ava, "EID-CITIZEN-QAA-LEVEL"))
    street, house_number = attributes.split_street(first(ava, "postalAddress"))
    represented = attributes.organisation(ava)
    organisation = Organisation(*represented) if represented else None
    levels = {
        name: min(trust.level_from_akdb(value), level, key=trust.rank)
        for name, value in (attribute_levels or {}).items()
    }
    return CitizenIdentity(
        pseudonym=pseudonym,
        trust_level=level,
        given_name=first(ava, "givenName"),
        family_name=first(ava, "surname"),
        birth_date=first(ava, "birthdate"),
        street=street,
        house_number=house_number,
        postcode=first(ava, "postalCode"),
        city=first(ava, "localityName"),
        country=first(ava, "country"),
        email=first(ava, "mail"),
        organisation=organisation,
        name_id=name_id,
        name_id_format=name_id_format,
        session_index=session_index,
        idp_entity_id=idp_entity_id,
        attribute_levels=levels,
    )
