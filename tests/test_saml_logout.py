"""Single logout in both directions against the bundled test identity provider, through
Django's test client and nothing of pysaml2 mocked: Amtsweg starts it (LogoutRequest out,
LogoutResponse checked: signature, status, InResponseTo), or the identity provider starts it
("log out everywhere": a LogoutRequest with HTTP-POST or HTTP-Redirect ends the citizen's
sessions in whichever browser, and a signed LogoutResponse goes back). Tampered, unsigned or
foreign messages are refused and end nothing."""

import base64
import re
import zlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.test import Client
from saml2.s_utils import status_message_factory
from saml2.samlp import STATUS_RESPONDER

from amtsweg.identity.bundid import slo
from amtsweg.identity.bundid.binding import BINDING_HTTP_POST, Incoming
from amtsweg.identity.bundid.models import CitizenSession, LogoutAttempt
from amtsweg.identity.bundid.services import SESSION_IDENTITY
from amtsweg.identity.testidp import services as testidp
from amtsweg.identity.testidp.models import IdpSession
from tests.saml_flow import (
    english,  # noqa: F401 (fixture)
    english_client,
    log_in,
    path_of,
    post_binding,
    saml_settings,  # noqa: F401 (fixture)
    saml_var_dir,  # noqa: F401 (fixture)
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("saml_settings", "english")]

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def logged_in(client: Client) -> bool:
    return SESSION_IDENTITY in client.session


def citizen_browser(person: str = "erika") -> Client:
    browser = english_client()
    log_in(browser, person, "low")
    assert logged_in(browser)
    return browser


def start_at_idp(tester: Client, person: str, binding: str = "post"):
    """The tester presses "log out everywhere" for ``person`` at the test identity provider."""
    page = tester.get("/testidp/abmelden/")
    assert page.status_code == 200
    return tester.post("/testidp/abmelden/", {"person": person, "binding": binding})


def decoded(fields: dict[str, str], name: str) -> str:
    return base64.b64decode(fields[name]).decode()


def inflated(url: str, name: str) -> str:
    value = parse_qs(urlsplit(url).query)[name][0]
    return zlib.decompress(base64.b64decode(value), -15).decode()


# --- started at the identity provider ---------------------------------------------------


def test_idp_initiated_logout_over_post_ends_the_citizens_session_and_answers_signed():
    erika, jonas, tester = citizen_browser("erika"), citizen_browser("jonas"), english_client()
    assert CitizenSession.objects.count() == 2

    to_sp = start_at_idp(tester, "erika")
    action, fields = post_binding(to_sp)
    assert path_of(action) == "/saml/sls/"
    request_xml = ElementTree.fromstring(decoded(fields, "SAMLRequest"))
    assert request_xml.tag == f"{SAMLP}LogoutRequest"
    assert request_xml.find(f"{DS}Signature") is not None
    assert request_xml.find(f"{SAMLP}SessionIndex") is not None

    answer = submit(tester, to_sp)  # the tester's browser carries it: no cookie of Erika's

    action, fields = post_binding(answer)
    assert path_of(action) == "/testidp/slo/"
    response_xml = ElementTree.fromstring(decoded(fields, "SAMLResponse"))
    assert response_xml.tag == f"{SAMLP}LogoutResponse"
    assert response_xml.get("InResponseTo") == request_xml.get("ID")
    assert response_xml.find(f"{DS}Signature") is not None
    status = response_xml.find(f"{SAMLP}Status/{SAMLP}StatusCode").get("Value")
    assert status == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert not logged_in(erika), "Erika's session ended in her own browser"
    assert logged_in(jonas), "another citizen's session is untouched"
    assert erika.get("/mein-amtsweg/").status_code == 302  # back to the log-in

    done = submit(tester, answer)
    assert done.status_code == 200
    assert "Erika Mustermann has no open log-in left" in done.content.decode()
    assert not IdpSession.objects.filter(person_key="erika", ended_at__isnull=True).exists()
    assert list(CitizenSession.objects.values_list("citizen__pseudonym", flat=True)) == [
        "testidp-jonas-schaefer-K81x"
    ]


def test_idp_initiated_logout_over_redirect_with_query_signature():
    erika, tester = citizen_browser("erika"), english_client()

    to_sp = start_at_idp(tester, "erika", binding="redirect")
    assert to_sp.status_code == 302
    url = to_sp["Location"]
    assert path_of(url).startswith("/saml/sls/?")
    query = parse_qs(urlsplit(url).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert "<ns0:LogoutRequest" in inflated(url, "SAMLRequest") or "LogoutRequest" in inflated(
        url, "SAMLRequest"
    )

    answer = tester.get(path_of(url))

    assert answer.status_code == 302, answer.content[:2000]  # answered with Redirect too
    back = answer["Location"]
    assert path_of(back).startswith("/testidp/slo/?")
    assert "Signature" in parse_qs(urlsplit(back).query)
    assert "status:Success" in inflated(back, "SAMLResponse")
    assert not logged_in(erika)
    done = tester.get(path_of(back))
    assert "has no open log-in left" in done.content.decode()


def test_log_out_everywhere_ends_every_log_in_of_the_person_one_after_the_other():
    phone, desk, tester = citizen_browser("erika"), citizen_browser("erika"), english_client()
    assert IdpSession.objects.filter(person_key="erika", ended_at__isnull=True).count() == 2

    first = submit(tester, start_at_idp(tester, "erika"))  # SP answers the first request
    second_request = submit(tester, first)  # the IdP checks it and sends the next request
    action, _fields = post_binding(second_request)
    assert path_of(action) == "/saml/sls/"
    done = submit(tester, submit(tester, second_request))

    assert "has no open log-in left" in done.content.decode()
    assert not logged_in(phone) and not logged_in(desk)
    assert not CitizenSession.objects.exists()


def other_session_index(xml: str) -> str:
    return xml.replace("<ns0:SessionIndex>", "<ns0:SessionIndex>x")


def without_signature(xml: str) -> str:
    return re.sub(r"<(ns\d+):Signature .*?</\1:Signature>", "", xml, flags=re.S)


@pytest.mark.parametrize("tamper", [other_session_index, without_signature])
def test_a_tampered_or_unsigned_logout_request_is_refused_and_ends_nothing(tamper):
    erika, tester = citizen_browser("erika"), english_client()
    action, fields = post_binding(start_at_idp(tester, "erika"))
    xml = decoded(fields, "SAMLRequest")
    assert "<ns0:SessionIndex>" in xml and ":Signature " in xml
    forged = tamper(xml)
    assert forged != xml

    response = tester.post(
        path_of(action), {"SAMLRequest": base64.b64encode(forged.encode()).decode()}
    )

    assert response.status_code == 403
    text = response.content.decode()
    assert 'data-reason="signature"' in text
    assert "was not acted on" in text
    assert logged_in(erika)
    assert CitizenSession.objects.count() == 1


def test_a_redirect_logout_request_with_a_forged_signature_is_refused():
    erika, tester = citizen_browser("erika"), english_client()
    url = start_at_idp(tester, "erika", binding="redirect")["Location"]
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    signature = bytearray(base64.b64decode(query["Signature"]))
    signature[10] ^= 0xFF
    query["Signature"] = base64.b64encode(bytes(signature)).decode()

    unsigned = {key: value for key, value in query.items() if key not in {"Signature", "SigAlg"}}
    for forged in (query, unsigned):
        response = tester.get(f"/saml/sls/?{urlencode(forged)}")
        assert response.status_code == 403
        assert 'data-reason="signature"' in response.content.decode()
    assert logged_in(erika)


def test_a_logout_request_signed_by_amtsweg_itself_is_not_the_identity_providers():
    """A LogoutRequest from anyone but the identity provider (here: Amtsweg's own, as it
    sends them to the identity provider) must not end sessions at Amtsweg."""
    erika = citizen_browser("erika")
    own = erika.post("/saml/logout/")  # ends Erika's session, gives a signed request
    other = citizen_browser("erika")
    _action, fields = post_binding(own)

    response = english_client().post("/saml/sls/", {"SAMLRequest": fields["SAMLRequest"]})

    assert response.status_code in (400, 403)
    assert logged_in(other)


# --- started at Amtsweg ------------------------------------------------------------------


def test_sp_initiated_logout_checks_the_identity_providers_answer():
    erika = citizen_browser("erika")
    to_idp = erika.post("/saml/logout/")
    action, fields = post_binding(to_idp)
    assert path_of(action) == "/testidp/slo/"
    request_id = ElementTree.fromstring(decoded(fields, "SAMLRequest")).get("ID")
    assert LogoutAttempt.objects.filter(request_id=request_id).exists()
    assert not logged_in(erika)

    back = submit(erika, to_idp)
    assert (
        ElementTree.fromstring(decoded(post_binding(back)[1], "SAMLResponse")).get("InResponseTo")
        == request_id
    )
    done = submit(erika, back)

    assert done.status_code == 302
    assert "You are logged out." in erika.get(done["Location"]).content.decode()
    assert not LogoutAttempt.objects.exists(), "an answered request is used up"
    assert not IdpSession.objects.filter(person_key="erika", ended_at__isnull=True).exists()

    replay = erika.post("/saml/sls/", post_binding(back)[1])
    assert replay.status_code == 403
    assert 'data-reason="in_response_to"' in replay.content.decode()


def test_a_logout_response_to_no_request_of_ours_or_tampered_is_refused():
    erika = citizen_browser("erika")
    back = submit(erika, erika.post("/saml/logout/"))
    fields = post_binding(back)[1]
    xml = decoded(fields, "SAMLResponse")

    tampered = xml.replace("status:Success", "status:Requester")
    response = erika.post(
        "/saml/sls/", {"SAMLResponse": base64.b64encode(tampered.encode()).decode()}
    )
    assert response.status_code == 403
    assert 'data-reason="signature"' in response.content.decode()
    assert LogoutAttempt.objects.count() == 1, "a refused answer does not use the request up"

    LogoutAttempt.objects.all().delete()
    unknown = erika.post("/saml/sls/", fields)
    assert 'data-reason="in_response_to"' in unknown.content.decode()


def test_a_genuine_answer_that_reports_failure_is_said_so():
    """The identity provider signs an answer with a failure status: the status is checked,
    not only the signature."""
    erika = citizen_browser("erika")
    _action, fields = post_binding(erika.post("/saml/logout/"))
    server = testidp._server()
    request = slo.read_request(
        server,
        Incoming(BINDING_HTTP_POST, "SAMLRequest", fields["SAMLRequest"]),
        peer=settings.AMTSWEG_SAML_ENTITY_ID,
    )
    failed = server.create_logout_response(
        request.message,
        [BINDING_HTTP_POST],
        status=status_message_factory("Session store down", STATUS_RESPONDER),
        sign=True,
        **slo.ALGORITHMS_FOR_MESSAGES,
    )

    response = erika.post(
        "/saml/sls/", {"SAMLResponse": base64.b64encode(str(failed).encode()).decode()}
    )

    assert response.status_code == 403
    text = response.content.decode()
    assert 'data-reason="idp_status"' in text
    assert "could not end its session" in text
    assert not logged_in(erika)  # the local session ended all the same


def test_slo_endpoint_without_a_message_is_a_clear_refusal():
    response = english_client().get("/saml/sls/")
    assert response.status_code == 400
    assert 'data-reason="malformed"' in response.content.decode()
