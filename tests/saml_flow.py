"""Driving the BundID log-in through Django's test client, against the bundled test identity
provider: the same HTTP-POST forms a browser would submit, nothing of pysaml2 mocked.

``saml_keys`` (session scope) gives every test run one temporary var directory, so the keys
of the service provider and the test identity provider are generated once per run.
"""

import dataclasses
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client

from amtsweg.identity.testidp import services as testidp
from amtsweg.identity.testidp.persons import person as test_person
from amtsweg.lib.certificates import load_or_create_key_pair

_FORM = re.compile(r'<form method="post" action="([^"]+)" id="saml-post-binding"')
_ANY_FORM = re.compile(r'<form method="post" action="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(scope="session")
def saml_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var directory with both key pairs made once (2048-bit keys keep the run fast)."""
    var_dir = tmp_path_factory.mktemp("saml-var")
    load_or_create_key_pair(var_dir / "saml", "sp", "Amtsweg test SP", key_size=2048)
    load_or_create_key_pair(var_dir / "saml", "testidp", "Amtsweg test IdP", key_size=2048)
    return var_dir


@pytest.fixture
def english(client: Client) -> Client:
    """Pages in English (German is the default), so that tests can read the messages."""
    client.cookies["django_language"] = "en"
    return client


def english_client() -> Client:
    """A second browser, also reading English."""
    other = Client()
    other.cookies["django_language"] = "en"
    return other


@pytest.fixture
def saml_settings(settings, saml_var_dir: Path):
    """BundID against the test identity provider, keys from the session's var directory."""
    settings.VAR_DIR = saml_var_dir
    settings.AMTSWEG_TEST_IDP = True
    settings.AMTSWEG_SAML_IDP_METADATA = None
    settings.AMTSWEG_SAML_SP_KEY_FILE = None
    settings.AMTSWEG_SAML_SP_CERT_FILE = None
    return settings


def path_of(url: str) -> str:
    """The path (and query) of an absolute URL, as the test client wants it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def post_binding(response: HttpResponse) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the page's auto-submitting (HTTP-POST binding) form."""
    text = response.content.decode()
    match = _FORM.search(text) or _ANY_FORM.search(text)
    assert match, text[:2000]
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(text)}
    return html.unescape(match.group(1)), fields


def submit(client: Client, response: HttpResponse, **extra: str) -> HttpResponse:
    """Submit the page's form as the browser's script would (plus ``extra`` fields)."""
    action, fields = post_binding(response)
    return client.post(path_of(action), {**fields, **extra})


def authn_request(client: Client, level: str = "low", next_url: str = "/") -> dict[str, str]:
    """Start a log-in at the service provider: the hidden fields it sends to the IdP."""
    response = client.post("/saml/login/", {"level": level, "next": next_url})
    assert response.status_code == 200, response.content[:2000]
    action, fields = post_binding(response)
    assert path_of(action) == "/testidp/sso/"
    return fields


def idp_answer(
    client: Client, person: str = "erika", level: str = "low", next_url: str = "/"
) -> dict[str, str]:
    """Log in at the test identity provider (choice page, then choice): the fields of the
    form that carries its signed SAMLResponse to the ACS."""
    request_fields = authn_request(client, level, next_url)
    choice = client.post("/testidp/sso/", request_fields)
    assert choice.status_code == 200
    assert b"Erika Mustermann" in choice.content
    answer = client.post("/testidp/sso/", {**request_fields, "person": person, "level": level})
    action, fields = post_binding(answer)
    assert path_of(action) == "/saml/acs/"
    return fields


def log_in(
    client: Client, person: str = "erika", level: str = "low", next_url: str = "/"
) -> HttpResponse:
    """The whole round trip; returns the final redirect back to ``next_url``."""
    fields = idp_answer(client, person, level, next_url)
    accepted = client.post("/saml/acs/", fields)
    assert accepted.status_code == 302, accepted.content[:3000]
    finished = client.get(accepted["Location"])
    assert finished.status_code == 302, finished.content[:3000]
    return finished


def issue(
    client: Client,
    level: str = "low",
    person: str = "erika",
    request_id: str | None = None,
    **kwargs: object,
) -> str:
    """Start a log-in, then have the test identity provider's code issue the response
    directly (``clock``/``audience`` bend it, ``request_id`` answers a request never sent);
    returns the SAMLResponse."""
    request_fields = authn_request(client, level)
    request = testidp.read_authn_request(request_fields["SAMLRequest"])
    if request_id is not None:
        request = dataclasses.replace(request, request_id=request_id)
    return testidp.issue_response(request, test_person(person), level, **kwargs)
