"""The invented people the test identity provider can log in as (README lists them).

Each has a stable pseudonym, so that logging in as the same person twice reaches the same
citizen account, as the bPK2 of a real BundID account does. Attribute keys are BundID's
FriendlyNames; the converter turns them into the formal ``urn:oid:…`` names on the wire.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TestPerson:
    key: str
    description: str
    attributes: dict[str, str] = field(default_factory=dict)

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
        description="Modautal",
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
        description="Musterbau GmbH, Ober-Ramstadt",
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
            "LegalName": "Musterbau GmbH",
            "LegalPersonIdentifier": "HRB 12345 Darmstadt",
        },
    ),
]


def person(key: str) -> TestPerson | None:
    return next((candidate for candidate in PERSONS if candidate.key == key), None)
