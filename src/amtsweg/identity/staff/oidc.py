"""Optional single sign-on for staff through an OpenID Connect provider (a municipality's
Keycloak, ADFS, ...), built on mozilla-django-oidc.

Off unless ``AMTSWEG_OIDC_ISSUER`` and ``AMTSWEG_OIDC_CLIENT_ID`` are set. The provider's endpoints
come from its discovery document (``<issuer>/.well-known/openid-configuration``), fetched when
someone signs in, never at start-up. Only existing, active staff accounts can sign in this way,
found by one claim (``AMTSWEG_OIDC_CLAIM``, default ``email``); no account and no role is ever
created from claims. The library checks the ID token's signature and nonce; the audience and
issuer checks that OIDC Core 3.1.3.7 requires, and that it leaves out, are added here.
"""

import logging
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from amtsweg.identity.staff.accounts import is_staff_account

logger = logging.getLogger("amtsweg.identity.staff")

TIMEOUT_SECONDS = 10
DISCOVERY_CACHE_SECONDS = 3600
#: Clock difference between Amtsweg and the provider that is still accepted in token times.
LEEWAY_SECONDS = 60


def is_configured() -> bool:
    return bool(settings.AMTSWEG_OIDC_ISSUER and settings.AMTSWEG_OIDC_CLIENT_ID)


def oidc_setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, derived from our ``AMTSWEG_OIDC_*`` ones, so that the
    settings file names each choice once and nothing OIDC exists in it when it is off."""
    values = {
        "OIDC_RP_CLIENT_ID": settings.AMTSWEG_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.AMTSWEG_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": settings.AMTSWEG_OIDC_SIGN_ALGO,
        "OIDC_RP_SCOPES": settings.AMTSWEG_OIDC_SCOPES,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_VERIFY_SSL": True,
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "identity:oidc_callback",
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "LOGIN_REDIRECT_URL": settings.LOGIN_REDIRECT_URL,
    }
    if name in values:
        return values[name]
    if default:
        return default[0]
    raise ImproperlyConfigured(f"{name} has no value for Amtsweg's staff single sign-on")


@dataclass(frozen=True)
class Provider:
    """The endpoints of the provider's discovery document (OpenID Connect Discovery 1.0)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


def provider() -> Provider:
    """The provider's endpoints, from its discovery document (cached for an hour)."""
    issuer = settings.AMTSWEG_OIDC_ISSUER.rstrip("/")
    cache_key = f"amtsweg.staff.oidc.discovery:{issuer}"
    document = cache.get(cache_key)
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT_SECONDS
        )
        response.raise_for_status()
        document = response.json()
        # Discovery 4.3: the issuer in the document must be exactly the one we asked.
        if document.get("issuer", "").rstrip("/") != issuer:
            raise SuspiciousOperation("The OIDC discovery document names another issuer.")
        cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
    return Provider(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        userinfo_endpoint=document["userinfo_endpoint"],
        jwks_uri=document["jwks_uri"],
    )


def says_multi_factor(claims: dict[str, Any]) -> bool:
    """Whether the ID token says the provider used more than one factor: ``amr`` contains
    ``mfa`` (RFC 8176), or ``acr`` is one of ``AMTSWEG_OIDC_MFA_ACR_VALUES``."""
    if not settings.AMTSWEG_OIDC_TRUST_IDP_MFA:
        return False
    methods = claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    if "mfa" in methods:
        return True
    acr = claims.get("acr")
    return bool(acr) and acr in settings.AMTSWEG_OIDC_MFA_ACR_VALUES


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Finds the existing staff account for a provider's log-in; never creates one."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for every authenticate() call, the password sign-in's
        # too, which must not fetch anything: the provider is asked only in authenticate().
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> AbstractBaseUser | None:
        # Only the callback view passes a nonce; a password sign-in never reaches the provider.
        if request is None or "nonce" not in kwargs or not is_configured():
            return None
        try:
            endpoints = provider()
            self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token_endpoint
            self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo_endpoint
            self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks_uri
            self.OIDC_RP_CLIENT_ID = settings.AMTSWEG_OIDC_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.AMTSWEG_OIDC_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = settings.AMTSWEG_OIDC_SIGN_ALGO
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, KeyError, ValueError) as error:
            logger.warning("Staff single sign-on failed: %s", error)
            return None

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Signature (with the one configured algorithm), audience, issuer and times."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {algorithm!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.AMTSWEG_OIDC_ISSUER.rstrip("/"),
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> AbstractBaseUser | None:
        """The one active staff account the configured claim names, or None."""
        claims = self.get_userinfo(access_token, id_token, payload)
        # OIDC Core 5.3.2: the UserInfo response is about the ID token's subject, or ignored.
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("UserInfo is about another subject than the ID token")
        claims = {**payload, **claims}
        value = claims.get(settings.AMTSWEG_OIDC_CLAIM)
        if not isinstance(value, str) or not value:
            raise SuspiciousOperation(f"No {settings.AMTSWEG_OIDC_CLAIM} claim")
        if settings.AMTSWEG_OIDC_MATCH == "email":
            if claims.get("email_verified") is False:
                raise SuspiciousOperation("The provider has not verified the e-mail address")
            users = self.UserModel.objects.filter(email__iexact=value, is_active=True)
        else:
            users = self.UserModel.objects.filter(username=value, is_active=True)
        found = [user for user in users[:2] if is_staff_account(user)]
        if len(found) != 1:
            logger.warning("Staff single sign-on: %d staff accounts match the claim", len(found))
            return None
        self.request.amtsweg_oidc_multi_factor = says_multi_factor(payload)  # type: ignore[union-attr]
        return found[0]
