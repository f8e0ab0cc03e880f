"""Optional OIDC single sign-on for staff, against a provider mocked at the HTTP level with the
message formats of OpenID Connect Core 1.0 and Discovery 1.0 (no network): discovery document,
JWKS, token response with a signed ID token, UserInfo response."""

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from jwt.algorithms import RSAAlgorithm

from tests.staff_login import totp_code

ISSUER = "https://sso.darmstadt.example/realms/verwaltung"
CLIENT_ID = "amtsweg-backoffice"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
START = reverse("identity:oidc_start")
CALLBACK = reverse("identity:oidc_callback")


@pytest.fixture
def oidc(settings, db) -> Any:
    settings.AMTSWEG_OIDC_ISSUER = ISSUER
    settings.AMTSWEG_OIDC_CLIENT_ID = CLIENT_ID
    settings.AMTSWEG_OIDC_CLIENT_SECRET = "client-secret"
    settings.AMTSWEG_OIDC_TRUST_IDP_MFA = True
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "amtsweg.identity.staff.oidc.StaffOIDCBackend",
    ]
    cache.clear()
    yield settings
    cache.clear()


class Provider:
    """The provider's endpoints as `responses` mocks, answering like Keycloak would."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.id_claims: dict[str, Any] = {}
        self.userinfo: dict[str, Any] = {}
        self.signing_key = KEY
        self.token_requests: list[dict[str, list[str]]] = []
        jwk = RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
        mock.get(
            f"{ISSUER}/.well-known/openid-configuration",
            json={
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
                "userinfo_endpoint": f"{ISSUER}/protocol/openid-connect/userinfo",
                "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            },
        )
        mock.get(
            f"{ISSUER}/protocol/openid-connect/certs",
            json={"keys": [{**jwk, "kid": "key-1", "alg": "RS256", "use": "sig"}]},
        )
        mock.add_callback(
            responses.POST, f"{ISSUER}/protocol/openid-connect/token", callback=self.token
        )
        mock.add_callback(
            responses.GET, f"{ISSUER}/protocol/openid-connect/userinfo", callback=self.user
        )

    def token(self, request: Any) -> tuple[int, dict[str, str], str]:
        form = parse_qs(request.body)
        self.token_requests.append(form)
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "f1e2d3c4-0000-4000-8000-000000000001",
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "auth_time": now,
            "nonce": self.nonce,
            "azp": CLIENT_ID,
            **self.id_claims,
        }
        id_token = jwt.encode(
            claims, self.signing_key, algorithm="RS256", headers={"kid": "key-1"}
        )
        body = {
            "access_token": "access-token-1",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def user(self, request: Any) -> tuple[int, dict[str, str], str]:
        assert request.headers["Authorization"] == "Bearer access-token-1"
        body = {
            "sub": "f1e2d3c4-0000-4000-8000-000000000001",
            "email": "da.clerk@example.de",
            "email_verified": True,
            "preferred_username": "dana.darm",
            **self.userinfo,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def sign_in(self, client: Any, next_url: str = "/backoffice/") -> Any:
        """The browser's round trip: to the provider, and back with a code."""
        to_provider = client.get(START, {"next": next_url})
        assert to_provider.status_code == 302
        query = parse_qs(urlsplit(to_provider["Location"]).query)
        self.authorization_query = query
        self.nonce = query["nonce"][0]
        return client.get(CALLBACK, {"code": "authorization-code-1", "state": query["state"][0]})


@pytest.fixture
def provider(oidc) -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Provider(mock)


def test_off_without_configuration(client, db):
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404
    assert (
        reverse("identity:oidc_start")
        not in client.get(reverse("identity:login")).content.decode()
    )


def test_the_authorization_request(client, provider):
    assert START in client.get(reverse("identity:login")).content.decode()
    location = client.get(START, {"next": "/backoffice/"})["Location"]
    assert location.startswith(f"{ISSUER}/protocol/openid-connect/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert query["code_challenge_method"] == ["S256"]
    assert set(query["scope"][0].split()) >= {"openid", "email"}
    assert query["state"][0] and query["nonce"][0]


def test_provider_mfa_signs_straight_in(client, provider, darmstadt_clerk):
    provider.id_claims = {"amr": ["pwd", "otp", "mfa"]}
    inbox = reverse("cases:inbox", args=["darmstadt"])
    response = provider.sign_in(client, next_url=inbox)
    assert response["Location"] == inbox
    assert client.get(inbox).status_code == 200
    token_request = provider.token_requests[0]
    assert token_request["grant_type"] == ["authorization_code"]
    assert token_request["code"] == ["authorization-code-1"]
    assert token_request["code_verifier"][0]  # PKCE


def test_acr_values_can_stand_for_mfa(client, provider, darmstadt_clerk, settings):
    settings.AMTSWEG_OIDC_MFA_ACR_VALUES = ["urn:example:mfa"]
    provider.id_claims = {"acr": "urn:example:mfa"}
    assert provider.sign_in(client)["Location"] == "/backoffice/"


def test_without_mfa_the_totp_step_follows(client, provider, darmstadt_clerk):
    provider.id_claims = {"amr": ["pwd"], "acr": "1"}
    response = provider.sign_in(client, next_url="/backoffice/")
    assert response["Location"].startswith(reverse("identity:otp_enrol"))
    assert client.get("/backoffice/")["Location"].startswith(reverse("identity:otp_enrol"))
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=darmstadt_clerk)
    assert client.post(response["Location"], {"code": totp_code(device)}).status_code == 200
    assert client.get(reverse("cases:inbox", args=["darmstadt"])).status_code == 200


def test_distrusting_the_provider_always_asks_for_totp(
    client, provider, darmstadt_clerk, settings
):
    settings.AMTSWEG_OIDC_TRUST_IDP_MFA = False
    provider.id_claims = {"amr": ["mfa"]}
    assert provider.sign_in(client)["Location"].startswith(reverse("identity:otp_enrol"))


def test_no_account_is_created_for_unknown_people(client, provider, darmstadt_clerk):
    provider.id_claims = {"amr": ["mfa"]}
    provider.userinfo = {"email": "someone.else@example.de"}
    users = get_user_model().objects.count()
    response = provider.sign_in(client)
    assert response["Location"] == reverse("identity:login")
    assert get_user_model().objects.count() == users
    assert not client.get("/backoffice/").wsgi_request.user.is_authenticated


def test_matching_by_user_name(client, provider, darmstadt_clerk, settings):
    settings.AMTSWEG_OIDC_CLAIM = "preferred_username"
    settings.AMTSWEG_OIDC_MATCH = "username"
    provider.id_claims = {"amr": ["mfa"]}
    provider.userinfo = {"preferred_username": "da.clerk", "email": "other@example.de"}
    assert provider.sign_in(client)["Location"] == "/backoffice/"


@pytest.mark.parametrize(
    "change",
    [
        {"id_claims": {"aud": "another-client", "amr": ["mfa"]}},
        {"id_claims": {"iss": "https://evil.example", "amr": ["mfa"]}},
        {"id_claims": {"exp": int(time.time()) - 3600, "amr": ["mfa"]}},
        {"signing_key": OTHER_KEY, "id_claims": {"amr": ["mfa"]}},
        {"userinfo": {"sub": "someone-else"}, "id_claims": {"amr": ["mfa"]}},
        {"userinfo": {"email_verified": False}, "id_claims": {"amr": ["mfa"]}},
    ],
    ids=["audience", "issuer", "expired", "signature", "userinfo-subject", "unverified-email"],
)
def test_untrustworthy_answers_are_refused(client, provider, darmstadt_clerk, change):
    for name, value in change.items():
        setattr(provider, name, value)
    response = provider.sign_in(client)
    assert response["Location"] == reverse("identity:login")
    assert not client.get("/backoffice/").wsgi_request.user.is_authenticated


def test_a_replayed_callback_is_refused(client, provider, darmstadt_clerk):
    provider.id_claims = {"amr": ["mfa"]}
    provider.sign_in(client)
    state = provider.authorization_query["state"][0]
    client.post(reverse("identity:logout"))
    again = client.get(CALLBACK, {"code": "authorization-code-1", "state": state})
    assert again.status_code in (302, 400)
    assert not client.get("/backoffice/").wsgi_request.user.is_authenticated


def test_a_locked_account_cannot_use_single_sign_on(client, provider, darmstadt_clerk, settings):
    for _ in range(settings.AMTSWEG_STAFF_MAX_FAILURES):
        client.post(reverse("identity:login"), {"username": "da.clerk", "password": "wrong!"})
    provider.id_claims = {"amr": ["mfa"]}
    assert provider.sign_in(client)["Location"] == reverse("identity:login")
