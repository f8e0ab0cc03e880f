"""Staff sign-in pages: password, then enrolment or code. The steps' rules live in ``signin``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from amtsweg.identity.staff import oidc, otp, signin
from amtsweg.identity.staff.accounts import is_staff_account
from amtsweg.identity.staff.forms import CodeForm, SignInForm
from amtsweg.identity.staff.middleware import second_factor_url, staff_public


def _next_url(request: HttpRequest) -> str:
    """The page to go to after signing in: ``next`` when it is on this site, else the inbox."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked_out(request: HttpRequest) -> HttpResponse:
    messages.error(
        request, signin.LOCKED_MESSAGE % {"minutes": settings.AMTSWEG_STAFF_LOCKOUT_MINUTES}
    )
    return redirect("identity:login")


def _data(request: HttpRequest) -> object:
    return request.POST if request.method == "POST" else None


@staff_public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if is_staff_account(request.user):
        if otp.is_verified(request):
            return redirect(next_url)
        return redirect(second_factor_url(request, next_url))
    form = SignInForm(request, data=_data(request))
    if form.is_valid():
        login(request, form.get_user())
        return redirect(second_factor_url(request, next_url))
    return render(
        request,
        "identity/login.html",
        {"form": form, "next": next_url, "oidc_enabled": oidc.is_configured()},
    )


def _not_in_second_step(request: HttpRequest, next_url: str) -> HttpResponse | None:
    """Where to send a request that does not belong on a second-factor page, if anywhere."""
    if not is_staff_account(request.user):
        return redirect_to_login(next_url)
    if otp.is_verified(request):
        return redirect(next_url)
    if signin.is_locked_out(request):
        return _locked_out(request)
    return None


@staff_public
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The code of an enrolled user (from the app, or a backup code)."""
    next_url = _next_url(request)
    if elsewhere := _not_in_second_step(request, next_url):
        return elsewhere
    if not otp.has_confirmed_device(request.user):
        return redirect(second_factor_url(request, next_url))
    form = CodeForm(
        _data(request),
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
    )
    if form.is_valid():
        outcome = signin.check_code(request, form.cleaned_data["code"])
        if outcome is signin.Outcome.OK:
            return redirect(next_url)
        if outcome is signin.Outcome.LOCKED:
            return _locked_out(request)
        form.wrong()
    return render(request, "identity/staff/otp_verify.html", {"form": form, "next": next_url})


@staff_public
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up the authenticator app, confirm it, receive the backup codes."""
    next_url = _next_url(request)
    if elsewhere := _not_in_second_step(request, next_url):
        return elsewhere
    if otp.has_confirmed_device(request.user):
        return redirect(second_factor_url(request, next_url))
    device = otp.enrolment_device(request.user)
    form = CodeForm(_data(request), help_text=_("The 6-digit code your app shows now."))
    if form.is_valid():
        outcome, codes = signin.confirm_enrolment(request, device, form.cleaned_data["code"])
        if outcome is signin.Outcome.OK:
            # Shown in this response only: the codes are never displayed again.
            return render(
                request, "identity/staff/backup_codes.html", {"codes": codes, "next": next_url}
            )
        if outcome is signin.Outcome.LOCKED:
            return _locked_out(request)
        form.wrong()
    return render(
        request,
        "identity/staff/otp_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": otp.qr_code_svg(device),
            "secret": otp.secret_for_manual_entry(device),
        },
    )
