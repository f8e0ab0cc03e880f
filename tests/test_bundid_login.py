"""BundID log-in over SAML 2.0 against the bundled test identity provider: the full round
trip through Django's test client, every refused response with its clear message, single
logout and the metadata BundID receives. Nothing of pysaml2 is mocked."""

import base64
import datetime
from pathlib import Path

import pytest
from defusedxml import ElementTree

from amtsweg.identity.bundid.models import Citizen, LoginAttempt, SeenAssertion
from amtsweg.identity.bundid.services import SESSION_IDENTITY, current_citizen
from amtsweg.lib.certificates import certificate_body
from tests.saml_flow import (
    authn_request,
    english,  # noqa: F401 (fixture)
    english_client,
    idp_answer,
    issue,
    log_in,
    path_of,
    post_binding,
    saml_settings,  # noqa: F401 (fixture)
    saml_var_dir,  # noqa: F401 (fixture)
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("saml_settings", "english")]

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def refused(response, reason: str, message: str) -> None:
    assert response.status_code in (400, 403), response.content[:2000]
    text = response.content.decode()
    assert f'data-reason="{reason}"' in text
    assert message in text
    assert "Log in again" in text


def test_round_trip_logs_the_citizen_in_with_attributes_and_level(client):
    finished = log_in(client, "erika", "substantial", next_url="/kommunen/darmstadt/")

    assert finished["Location"] == "/kommunen/darmstadt/"
    citizen = client.session[SESSION_IDENTITY]
    assert citizen["given_name"] == "Erika"
    assert citizen["family_name"] == "Mustermann"
    assert citizen["birth_date"] == "1964-08-12"
    assert (citizen["street"], citizen["house_number"]) == ("Luisenplatz", "5")
    assert (citizen["postcode"], citizen["city"]) == ("64283", "Darmstadt")
    assert citizen["email"] == "erika.mustermann@example.org"
    assert citizen["trust_level"] == "substantial"
    assert citizen["organisation"] is None
    account = Citizen.objects.get()
    assert account.pseudonym == "testidp-erika-mustermann-7Qd2"
    assert account.trust_level == "substantial"
    assert not LoginAttempt.objects.exists(), "a finished log-in leaves no attempt behind"


def test_the_authn_request_asks_for_the_level_and_the_attributes_as_bundid_wants(client):
    fields = authn_request(client, "high")
    xml = base64.b64decode(fields["SAMLRequest"]).decode()

    assert "<ns0:Signature" in xml or "<ds:Signature" in xml or "Signature" in xml
    assert 'Comparison="minimum"' in xml
    assert "STORK-QAA-Level-4" in xml
    assert 'xmlns:ns2="https://www.akdb.de/request/2018/09"' in xml or "akdb.de" in xml
    assert 'Name="urn:oid:1.3.6.1.4.1.25484.494450.3" RequiredAttribute="true"' in xml
    assert "OrganizationDisplayName" in xml


def test_the_same_person_reaches_the_same_citizen_account(client, django_user_model):
    log_in(client, "jonas", "low")
    client.post("/saml/logout/")
    log_in(client, "jonas", "high")
    assert Citizen.objects.count() == 1
    assert Citizen.objects.get().trust_level == "high"


def test_tampered_signature_is_refused(client):
    fields = idp_answer(client, "erika", "low")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert xml.count("Mustermann") == 1
    forged = xml.replace("Mustermann", "Musterfrau")  # one byte inside the signed assertion
    fields["SAMLResponse"] = base64.b64encode(forged.encode()).decode()

    response = client.post("/saml/acs/", fields)

    refused(response, "signature", "carries no valid signature")
    assert SESSION_IDENTITY not in client.session


def test_expired_assertion_is_refused(client):
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    saml_response = issue(client, clock=lambda: an_hour_ago)

    response = client.post("/saml/acs/", {"SAMLResponse": saml_response})

    refused(response, "expired", "has expired")


def test_assertion_not_yet_valid_is_refused(client):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=30)
    response = client.post("/saml/acs/", {"SAMLResponse": issue(client, clock=lambda: later)})
    refused(response, "not_yet_valid", "not valid yet")


def test_small_clock_skew_is_accepted(client):
    skewed = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    response = client.post("/saml/acs/", {"SAMLResponse": issue(client, clock=lambda: skewed)})
    assert response.status_code == 302


def test_replayed_response_is_refused(client):
    fields = idp_answer(client, "erika", "low")
    assert client.post("/saml/acs/", fields).status_code == 302

    replay = client.post("/saml/acs/", fields)

    refused(replay, "replay", "has already been used")
    assert SeenAssertion.objects.count() == 1


def test_replay_from_another_browser_is_refused_too(client, django_db_blocker):
    fields = idp_answer(client, "erika", "low")
    assert client.post("/saml/acs/", fields).status_code == 302

    refused(english_client().post("/saml/acs/", fields), "replay", "has already been used")


def test_response_for_another_audience_is_refused(client):
    saml_response = issue(client, audience="https://elsewhere.example/saml/metadata/")
    response = client.post("/saml/acs/", {"SAMLResponse": saml_response})
    refused(response, "audience", "meant for another online service")


def test_response_to_a_request_never_sent_is_refused(client):
    saml_response = issue(client, request_id="id-never-sent-by-amtsweg")
    response = client.post("/saml/acs/", {"SAMLResponse": saml_response})
    refused(response, "in_response_to", "does not belong to a log-in started here")


def test_log_in_started_in_another_browser_cannot_be_finished_here(client):
    fields = idp_answer(client, "erika", "low")
    other = english_client()
    accepted = other.post("/saml/acs/", fields)  # the ACS itself accepts it ...
    assert accepted.status_code == 302
    finished = other.get(accepted["Location"])  # ... but only the starting browser logs in

    refused(finished, "other_browser", "started in another browser")
    assert SESSION_IDENTITY not in other.session


def test_garbage_is_refused_without_a_server_error(client):
    refused(client.post("/saml/acs/", {"SAMLResponse": "not base64 !"}), "malformed", "")
    bomb = base64.b64encode(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    ).decode()
    refused(client.post("/saml/acs/", {"SAMLResponse": bomb}), "malformed", "")
    refused(client.post("/saml/acs/", {}), "malformed", "could not be read")


def test_refusals_are_logged(client, caplog):
    saml_response = issue(client, audience="https://elsewhere.example/")
    client.post("/saml/acs/", {"SAMLResponse": saml_response})
    assert any("refused (audience)" in record.getMessage() for record in caplog.records)


def test_encrypted_assertion_as_bundid_sends_it_is_decrypted_and_accepted(client):
    saml_response = issue(client, "high", "jonas", encrypt=True)
    xml = base64.b64decode(saml_response).decode()
    assert "EncryptedAssertion" in xml and "Schäfer" not in xml

    accepted = client.post("/saml/acs/", {"SAMLResponse": saml_response})
    assert accepted.status_code == 302, accepted.content[:2000]
    client.get(accepted["Location"])

    assert client.session[SESSION_IDENTITY]["family_name"] == "Schäfer"
    assert client.session[SESSION_IDENTITY]["trust_level"] == "high"


def test_organisation_account_is_mapped(client):
    log_in(client, "musterbau", "substantial")
    organisation = client.session[SESSION_IDENTITY]["organisation"]
    assert organisation == {"name": "Musterbau GmbH", "identifier": "HRB 12345 Darmstadt"}


def test_single_logout_ends_the_session_here_and_at_the_identity_provider(client):
    log_in(client, "erika", "low")

    to_idp = client.post("/saml/logout/")
    action, fields = post_binding(to_idp)
    assert path_of(action) == "/testidp/slo/"
    assert "SAMLRequest" in fields
    assert SESSION_IDENTITY not in client.session  # local log-out happens first
    back = submit(client, to_idp)
    action, fields = post_binding(back)
    assert path_of(action) == "/saml/sls/"
    done = submit(client, back)

    assert done.status_code == 302
    assert client.get("/").status_code == 200


def test_metadata_carries_the_certificate_and_endpoints(client, settings):
    response = client.get("/saml/metadata/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{MD}EntityDescriptor"
    assert root.get("entityID") == "http://127.0.0.1:8000/saml/metadata/"
    assert root.get("validUntil") is None and root.get("ID") is None  # BundID refuses both
    descriptor = root.find(f"{MD}SPSSODescriptor")
    assert descriptor.get("AuthnRequestsSigned") == "true"
    assert descriptor.get("WantAssertionsSigned") == "true"
    certificates = {"".join(node.text.split()) for node in descriptor.iter(f"{DS}X509Certificate")}
    assert certificates == {certificate_body(Path(settings.VAR_DIR) / "saml" / "sp.crt")}
    uses = {key.get("use") for key in descriptor.findall(f"{MD}KeyDescriptor")}
    assert uses == {"signing", "encryption"}
    acs = descriptor.find(f"{MD}AssertionConsumerService")
    assert acs.get("Location") == "http://127.0.0.1:8000/saml/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def test_test_identity_provider_is_off_unless_switched_on(client, settings):
    settings.AMTSWEG_TEST_IDP = False
    assert client.post("/testidp/sso/", {"SAMLRequest": "x"}).status_code == 404
    assert client.get("/testidp/metadata/").status_code == 404
    assert client.get("/saml/login/").status_code == 503


def test_unsigned_or_foreign_authn_requests_are_refused_by_the_identity_provider(client):
    fields = authn_request(client, "low")
    xml = base64.b64decode(fields["SAMLRequest"]).decode()
    tampered = xml.replace("STORK-QAA-Level-1", "STORK-QAA-Level-4")
    response = client.post(
        "/testidp/sso/", {"SAMLRequest": base64.b64encode(tampered.encode()).decode()}
    )
    assert response.status_code == 400


def test_current_citizen_accessor(client, rf):
    log_in(client, "erika", "high")
    request = rf.get("/")
    request.session = client.session
    citizen = current_citizen(request)
    assert citizen is not None and citizen.full_name == "Erika Mustermann"
    assert citizen.satisfies("substantial") and not citizen.is_organisation
