"""Trust level per attribute (``akdb:TrustLevel``) and organisation accounts: the test identity
provider rates each attribute as BundID does, Amtsweg reads the rating from the verified
assertion and keeps it with the identity, and prefill locks only values good enough for the
solution (others are filled in but stay editable). Organisation accounts are recognised by
the attributes of Mein Unternehmenskonto (or eIDAS), and the submission records for whom it
was made. The whole SAML round trip runs; nothing of pysaml2 is mocked."""

import base64
import re

import pytest
from defusedxml import ElementTree
from django.urls import reverse

from amtsweg.identity.bundid import attributes
from amtsweg.identity.bundid.identity import CitizenIdentity, identity_from_assertion
from amtsweg.identity.bundid.services import SESSION_IDENTITY
from amtsweg.submissions.models import Submission
from tests.factories import OfferingFactory, SolutionVersionFactory, form_definition
from tests.form_filling import valid_step_post
from tests.saml_flow import (
    english,  # noqa: F401 (fixture)
    idp_answer,
    log_in,
    saml_settings,  # noqa: F401 (fixture)
    saml_var_dir,  # noqa: F401 (fixture)
)

SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"


def levels_on_the_wire(saml_response: str) -> dict[str, str]:
    root = ElementTree.fromstring(base64.b64decode(saml_response))
    return {
        attribute.get("FriendlyName") or attribute.get("Name"): attribute.get(
            attributes.TRUST_LEVEL
        )
        for attribute in root.iter(f"{SAML}Attribute")
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("saml_settings", "english")
class TestTheRoundTrip:
    def test_the_test_identity_provider_rates_every_attribute(self, client):
        wire = levels_on_the_wire(idp_answer(client, "erika", "substantial")["SAMLResponse"])

        assert wire["givenName"] == "SUBSTANTIELL"  # from the ELSTER certificate
        assert wire["postalAddress"] == "SUBSTANTIELL"
        assert wire["mail"] == "NORMAL"  # confirmed by a link, never more
        assert None not in wire.values(), wire

    def test_self_declared_values_stay_untergeordnet_even_with_the_eid(self, client):
        wire = levels_on_the_wire(idp_answer(client, "jonas", "high")["SAMLResponse"])
        assert wire["givenName"] == "HOCH"
        assert wire["postalAddress"] == wire["localityName"] == "UNTERGEORDNET"

    def test_the_levels_are_kept_with_the_identity(self, client):
        log_in(client, "jonas", "high")
        levels = client.session[SESSION_IDENTITY]["attribute_levels"]
        assert levels["givenName"] == levels["birthdate"] == "high"
        assert levels["mail"] == "low"
        assert levels["postalAddress"] == "low"

    def test_a_raised_trust_level_breaks_the_signature(self, client):
        fields = idp_answer(client, "jonas", "high")
        xml = base64.b64decode(fields["SAMLResponse"]).decode()
        forged = re.sub(r'(:TrustLevel=")UNTERGEORDNET"', r'\1HOCH"', xml)
        assert forged != xml
        fields["SAMLResponse"] = base64.b64encode(forged.encode()).decode()

        response = client.post("/saml/acs/", fields)

        assert response.status_code == 403
        assert 'data-reason="signature"' in response.content.decode()
        assert SESSION_IDENTITY not in client.session


# --- prefill and locking by attribute level ----------------------------------------------------


def locking_definition() -> dict:
    """Name, street and e-mail all prefilled and meant to be locked."""
    definition = form_definition()
    fields = {f["key"]: f for step in definition["steps"] for f in step["fields"]}
    fields["given_name"].update(prefill="bundid.given_name", locked=True)
    fields["street"].update(prefill="bundid.street_and_number", locked=True)
    fields["email"].update(prefill="bundid.email", locked=True)
    return definition


def input_tag(page: str, name: str) -> str:
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', page).group(0)


@pytest.fixture
def high_offering(darmstadt):
    version = SolutionVersionFactory(trust_level="high", form_definition=locking_definition())
    return OfferingFactory(municipality=darmstadt, solution_version=version, slug="hoch")


@pytest.mark.django_db
@pytest.mark.usefixtures("saml_settings", "english")
def test_only_values_at_the_solutions_level_are_locked(client, high_offering):
    offering_page = reverse("catalog:offering", args=["darmstadt", "hoch"])
    log_in(client, "jonas", "high", next_url=offering_page)
    step_url = client.post(reverse("submissions:start", args=["darmstadt", "hoch"]))["Location"]

    page = client.get(step_url).content.decode()

    given = input_tag(page, "given_name")
    assert 'value="Jonas"' in given and " readonly" in given  # HOCH: locked
    email = input_tag(page, "email")
    assert 'value="jonas.schaefer@example.org"' in email and "readonly" not in email
    steps = {step["key"]: step for step in locking_definition()["steps"]}
    post = valid_step_post(steps["applicant"])
    post.update(given_name=["Mallory"], email=["jonas@example.net"])
    address_url = client.post(step_url, post)["Location"]
    page = client.get(address_url).content.decode()
    street = input_tag(page, "street")  # typed in by Jonas himself: filled, editable
    assert 'value="Im Grund 3"' in street and "readonly" not in street
    post = valid_step_post(steps["address"])
    post.update(street=["Neue Straße 1"])
    assert client.post(address_url, post).status_code == 302

    data = Submission.objects.get().data
    assert data["given_name"] == "Jonas"  # locked: the identity's value whatever was sent
    assert data["email"] == "jonas@example.net"  # below the level: the citizen's own answer
    assert data["street"] == "Neue Straße 1"


def test_the_same_values_lock_for_a_solution_that_needs_less():
    identity = identity_from_assertion(
        {"bPK2": ["p"], "givenName": ["Jonas"], "mail": ["j@example.org"]},
        class_ref="STORK-QAA-Level-4",
        attribute_levels={"givenName": "HOCH", "mail": "NORMAL"},
    )
    assert identity.prefill("high").lockable == {"given_name"}
    assert identity.prefill("low").lockable == {"given_name", "email"}
    assert identity.prefill("low").values["email"] == "j@example.org"


def test_levels_are_capped_at_the_log_in_and_unknown_values_count_as_none():
    identity = identity_from_assertion(
        {"bPK2": ["p"], "givenName": ["Erika"], "surname": ["M"]},
        class_ref="STORK-QAA-Level-1",
        attribute_levels={"givenName": "HOCH", "surname": "GEPRÜFT"},
    )
    assert identity.attribute_levels == {"givenName": "low", "surname": "none"}
    assert identity.attribute_level("given_name") == "low"
    assert "family_name" not in identity.prefill("low").lockable


def test_an_address_is_as_good_as_its_weakest_part():
    identity = CitizenIdentity(
        pseudonym="p",
        trust_level="high",
        street="Im Grund",
        house_number="3",
        postcode="64397",
        city="Modautal",
        attribute_levels={"postalAddress": "high", "postalCode": "high", "localityName": "low"},
    )
    assert identity.attribute_level("street_and_number") == "high"
    assert identity.attribute_level("address") == "low"
    restored = CitizenIdentity.from_session(identity.to_session())
    assert restored is not None and restored.attribute_levels == identity.attribute_levels


# --- organisation accounts -------------------------------------------------------------------


MUK = {
    "bPK2": ["p"],
    "givenName": ["Max"],
    "surname": ["Bauer"],
    "DatenkranzTyp": ["StNr"],
    "PersTyp": ["NNatPers"],
    "Firmenname": ["Musterbau GmbH"],
    "Registerart": ["HRB"],
    "Registernummer": ["12345"],
    "Registergericht": ["Darmstadt"],
    "StNr": ["007/123/45678"],
}


@pytest.mark.parametrize(
    ("ava", "expected"),
    [
        (MUK, ("Musterbau GmbH", "HRB 12345 Darmstadt")),
        (
            {**MUK, "Registerart": [], "Registernummer": [], "Registergericht": []},
            ("Musterbau GmbH", "StNr 007/123/45678"),
        ),
        (
            {**MUK, "Firmenname": [], "PersTyp": ["NatPers"], "Registernummer": []},
            ("Max Bauer", "HRB Darmstadt"),
        ),
        ({**MUK, "DatenkranzTyp": ["IdNr"]}, None),  # a personal ELSTER certificate
        (
            {"LegalName": ["Acme SRL"], "LegalPersonIdentifier": ["IT/DE/12345678901"]},
            ("Acme SRL", "IT/DE/12345678901"),
        ),
        ({"givenName": ["Erika"]}, None),
    ],
)
def test_organisation_accounts_are_recognised_by_their_attributes(ava, expected):
    assert attributes.organisation(ava) == expected


def test_case_sensitive_attribute_names_go_out_and_come_back_unchanged():
    converter = attributes.converter()
    for name in ("DatenkranzTyp", "Firmenname", "LegalPersonIdentifier"):
        attribute = converter.to_format(name)
        assert attribute.name.endswith(name), attribute.name
        assert converter.ava_from(attribute)[0] == name


@pytest.mark.django_db
@pytest.mark.usefixtures("saml_settings", "english")
def test_the_organisation_test_person_logs_in_as_an_organisation_account(client):
    wire = levels_on_the_wire(idp_answer(client, "musterbau", "high")["SAMLResponse"])
    assert wire["DatenkranzTyp"] == "SUBSTANTIELL"  # an organisation certificate is ELSTER's
    assert wire["givenName"] == "HOCH"

    log_in(client, "musterbau", "high")

    identity = client.session[SESSION_IDENTITY]
    assert identity["organisation"] == {
        "name": "Musterbau GmbH",
        "identifier": "HRB 12345 Darmstadt",
    }
    assert identity["attribute_levels"]["Firmenname"] == "substantial"
