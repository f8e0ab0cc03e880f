"""The two single sign-on pages: off to the provider, and back from it (404 when not configured).

mozilla-django-oidc's views do the protocol (state, nonce, PKCE, code exchange); these subclasses
read the endpoints from discovery instead of settings and decide what happens after: a staff
account signed in, then the TOTP step unless the provider vouched for a multi-factor log-in.
"""

import logging
from typing import Any

import requests
from django.contrib import auth, messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from amtsweg.identity.staff import lockout, otp
from amtsweg.identity.staff.accounts import is_staff_account
from amtsweg.identity.staff.middleware import second_factor_url
from amtsweg.identity.staff.oidc import is_configured, oidc_setting, provider

logger = logging.getLogger("amtsweg.identity.staff")


def _failed(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        _(
            "Single sign-on did not succeed, or your account is not enabled for it. "
            "Please sign in with your user name and password."
        ),
    )
    return redirect("identity:login")


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint (code flow with PKCE)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are looked up per request, not here

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_configured():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except (requests.RequestException, SuspiciousOperation, KeyError, ValueError) as error:
            logger.warning("Staff single sign-on unavailable: %s", error)
            return _failed(request)
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back with a code."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_configured():
            raise Http404
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        return _failed(self.request)

    def login_success(self) -> HttpResponse:
        request, user = self.request, self.user
        if not is_staff_account(user) or lockout.is_locked(user.get_username()):
            return self.login_failure()
        auth.login(request, user)
        next_url = self.success_url
        if getattr(request, "amtsweg_oidc_multi_factor", False):
            otp.mark_verified_by_identity_provider(request)
            lockout.clear_failures(user.get_username())
            logger.info("Staff user %s signed in by single sign-on with MFA", user.pk)
            return HttpResponseRedirect(next_url)
        logger.info("Staff user %s signed in by single sign-on; TOTP follows", user.pk)
        return HttpResponseRedirect(second_factor_url(request, next_url))
