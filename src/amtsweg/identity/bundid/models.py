"""Citizen accounts and the state of SAML log-ins, kept in the database because any web
process may receive the identity provider's answer to a request another one sent."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.models import TrustLevel


class Citizen(models.Model):
    """A citizen (or organisation representative) who has logged in with BundID.

    Keyed by the bPK2 pseudonym, which BundID derives per person and per service provider; the
    row holds no other personal data. Submissions point here, so that the citizen's own area
    can list them.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudonym = models.CharField(_("pseudonymous identifier (bPK2)"), max_length=255, unique=True)
    trust_level = models.CharField(
        _("trust level of the last log-in"),
        max_length=20,
        choices=TrustLevel.choices,
        default=TrustLevel.NONE,
    )
    created_at = models.DateTimeField(_("first log-in"), auto_now_add=True)
    last_login = models.DateTimeField(_("last log-in"))

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return str(self.uuid)


class LoginAttempt(models.Model):
    """One AuthnRequest on its way: created when the request is sent, completed when the
    ACS accepted the answer, deleted when the browser picked the log-in up.

    The ACS receives a cross-site POST, which carries no ``SameSite=Lax`` session cookie; so
    the outstanding request id (InResponseTo) is checked against this table, and the verified
    identity waits here under a one-time token until the browser, now with its cookie, comes
    back to ``finish`` and proves it started the request.
    """

    request_id = models.CharField(max_length=100, unique=True)
    required_level = models.CharField(max_length=20, choices=TrustLevel.choices)
    expires_at = models.DateTimeField(db_index=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    identity = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return self.request_id


class SeenAssertion(models.Model):
    """An assertion id already used to log in; a second response carrying it is a replay.

    Kept until the assertion's own validity ends (after that the time check refuses it).
    """

    assertion_id = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.assertion_id


class CitizenSession(models.Model):
    """Which browser session a BundID log-in lives in, by the identity provider's NameID and
    SessionIndex.

    A LogoutRequest from the identity provider (single logout started there) names the log-in
    by NameID and SessionIndex and usually arrives without the citizen's session cookie (a
    cross-site POST carries no ``SameSite=Lax`` cookie); this table finds the sessions to end.
    """

    session_key = models.CharField(max_length=40, unique=True)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="sessions")
    idp_entity_id = models.CharField(max_length=255)
    name_id = models.CharField(max_length=255, db_index=True)
    session_index = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.session_key


class LogoutAttempt(models.Model):
    """A LogoutRequest Amtsweg sent to the identity provider; its LogoutResponse must answer
    it (InResponseTo), once, before ``expires_at``. Kept in the database because the answer is
    a cross-site POST without the session cookie, and the session has ended anyway."""

    request_id = models.CharField(max_length=100, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.request_id
