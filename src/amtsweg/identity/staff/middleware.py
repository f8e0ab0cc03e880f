"""One guard for every back-office and admin page, instead of a decorator on each view.

Every URL below ``/backoffice/`` and ``/admin/`` needs a staff account that has passed its second
factor, unless its view is marked ``@staff_public`` (sign-in, second factor, sign-out, password
reset, single sign-on). A view added tomorrow is guarded without anyone remembering to do it.
The same middleware ends expired staff sessions (``sessions.check``) on any URL.
"""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from amtsweg.identity.staff import otp, sessions
from amtsweg.identity.staff.accounts import is_staff_account

GUARDED_PREFIXES = ("/backoffice/", "/admin/")

View = TypeVar("View", bound=Callable[..., Any])


def staff_public(view: View) -> View:
    """Mark a view below a guarded prefix as reachable before the second factor."""
    view.staff_public = True  # type: ignore[attr-defined]
    return view


def second_factor_url(request: HttpRequest, next_url: str) -> str:
    """Where a signed-in staff user goes next: enrolment without a device, else the code."""
    step = (
        "identity:otp_verify" if otp.has_confirmed_device(request.user) else "identity:otp_enrol"
    )
    return f"{reverse(step)}?{urlencode({'next': next_url})}"


def _expiry_message(expiry: sessions.Expiry) -> str:
    if expiry is sessions.Expiry.IDLE:
        return _(
            "You were signed out after %(minutes)d minutes without activity. Please sign in again."
        ) % {"minutes": settings.AMTSWEG_STAFF_SESSION_IDLE_MINUTES}
    return _("Your session has reached its maximum length. Please sign in again.")


class StaffAccessMiddleware:
    """Install after the authentication, OTP and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        expiry = sessions.check(request)
        if expiry is not None:
            messages.warning(request, _expiry_message(expiry))
            if request.path_info.startswith(GUARDED_PREFIXES):
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not request.path_info.startswith(GUARDED_PREFIXES):
            return None
        if getattr(view_func, "staff_public", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name == "admin:login":
            return self._admin_login(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_account(request.user):
            raise PermissionDenied
        if otp.is_verified(request):
            return None
        return HttpResponseRedirect(second_factor_url(request, request.get_full_path()))

    @staticmethod
    def _admin_login(request: HttpRequest) -> HttpResponse:
        """The admin's own log-in form would skip the lock-out: ours stands in for it."""
        if not otp.is_verified(request):
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        if getattr(request.user, "is_staff", False):
            return HttpResponseRedirect(reverse("admin:index"))
        raise PermissionDenied
