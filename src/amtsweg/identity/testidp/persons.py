"""The invented people the test identity provider can log in as (README lists them).

Each has a stable pseudonym, so that logging in as the same person twice reaches the same
citizen account, as the bPK2 of a real BundID account does. Attribute keys are BundID's
FriendlyNames (and, for the organisation, the names of Mein Unternehmenskonto); the converter
turns them into the formal ``urn:oid:…`` names on the wire.

Every attribute goes out with an ``akdb:TrustLevel``, as BundID sends it: what the chosen
means of identification proves (user name and password prove nothing: UNTERGEORDNET; an
ELSTER certificate SUBSTANTIELL; the eID HOCH), but never more than the value can have: an
e-mail address is confirmed by a link only (NORMAL), an organisation's data come from its
ELSTER organisation certificate (SUBSTANTIELL), and what a person typed into their account
themselves (``self_declared``) stays UNTERGEORDNET.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid import attributes

#: The ``akdb:TrustLevel`` values, weakest first.
AKDB_LEVELS = ["UNTERGEORDNET", "NORMAL", "SUBSTANTIELL", "HOCH"]
#: What the log-in at each level proves of an attribute.
AKDB_FOR_LEVEL = {
    TrustLevel.LOW: "UNTERGEORDNET",
    TrustLevel.SUBSTANTIAL: "SUBSTANTIELL",
    TrustLevel.HIGH: "HOCH",
}
#: The most an attribute can be worth, whatever the log-in.
CEILING = {
    "mail": "NORMAL",
    **{
        name: "SUBSTANTIELL"
        for name in (
            *attributes.ORGANISATION_NAME,
            *attributes.ORGANISATION_ID,
            "DatenkranzTyp",
            "PersTyp",
        )
    },
}


@dataclass(frozen=True)
class TestPerson:
    key: str
    description: str | Promise
    attributes: dict[str, str] = field(default_factory=dict)
    #: Attributes the person entered into their account themselves (UNTERGEORDNET).
    self_declared: frozenset[str] = frozenset()

    def trust_level_of(self, name: str, level: str) -> str:
        """The ``akdb:TrustLevel`` of attribute ``name`` in a log-in at ``level``."""
        if name in self.self_declared:
            return AKDB_LEVELS[0]
        proved = AKDB_FOR_LEVEL.get(TrustLevel(level), AKDB_LEVELS[0])
        ceiling = CEILING.get(name, AKDB_LEVELS[-1])
        return min(proved, ceiling, key=AKDB_LEVELS.index)

    @property
    def name(self) -> str:
        return f"{self.attributes.get('givenName', '')} {self.attributes.get('surname', '')}"


PERSONS: list[TestPerson] = [
    TestPerson(
        key="erika",
        description="Darmstadt",
        attributes={
            "bPK2": "testidp-erika-mustermann-7Qd2",
            "givenName": "Erika",
            "surname": "Mustermann",
            "birthdate": "1964-08-12",
            "postalAddress": "Luisenplatz 5",
            "postalCode": "64283",
            "localityName": "Darmstadt",
            "country": "DE",
            "mail": "erika.mustermann@example.org",
        },
    ),
    TestPerson(
        key="jonas",
        description=_("Modautal, new address typed in himself"),
        self_declared=frozenset({"postalAddress", "postalCode", "localityName"}),
        attributes={
            "bPK2": "testidp-jonas-schaefer-K81x",
            "givenName": "Jonas",
            "surname": "Schäfer",
            "birthdate": "1988-02-29",
            "postalAddress": "Im Grund 3",
            "postalCode": "64397",
            "localityName": "Modautal",
            "country": "DE",
            "mail": "jonas.schaefer@example.org",
        },
    ),
    TestPerson(
        key="musterbau",
        description=_("for Musterbau GmbH, Ober-Ramstadt (organisation account)"),
        attributes={
            "bPK2": "testidp-max-bauer-musterbau-P0s9",
            "givenName": "Max",
            "surname": "Bauer",
            "birthdate": "1975-11-03",
            "postalAddress": "Industriestraße 12",
            "postalCode": "64372",
            "localityName": "Ober-Ramstadt",
            "country": "DE",
            "mail": "max.bauer@musterbau.example.org",
            # Mein Unternehmenskonto: an ELSTER organisation certificate of a legal person.
            "DatenkranzTyp": "StNr",
            "PersTyp": "NNatPers",
            "Firmenname": "Musterbau GmbH",
            "Registerart": "HRB",
            "Registernummer": "12345",
            "Registergericht": "Darmstadt",
        },
    ),
]


def person(key: str) -> TestPerson | None:
    return next((candidate for candidate in PERSONS if candidate.key == key), None)
