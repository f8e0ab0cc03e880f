"""The staff sign-in steps as services: the password, then the second factor, each behind the
lock-out. The views only show forms and follow the outcome."""

import logging
from enum import Enum

from django.contrib.auth import authenticate, get_user_model, logout
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.identity.staff import lockout, otp
from amtsweg.identity.staff.accounts import client_ip, is_staff_account
from amtsweg.identity.staff.models import SignInStage

logger = logging.getLogger("amtsweg.identity.staff")

#: The one answer for every lock, of an account or of an address, real name or not.
LOCKED_MESSAGE = _(
    "Too many failed attempts. Signing in is paused for a while. Please try again in "
    "%(minutes)d minutes or reset your password."
)


class Outcome(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def _account_named(username: str) -> AbstractBaseUser | None:
    """The account a typed name belongs to, only to tie failures to it in the audit log."""
    try:
        return get_user_model()._default_manager.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        return None


def check_password(
    request: HttpRequest, username: str, password: str
) -> tuple[Outcome, AbstractBaseUser | None]:
    """First step: the user whose password this is, if they are staff and not locked out.

    A locked account is refused before its password is looked at, so a right password does not
    help while the lock lasts, and the answer is the same for names that exist and names that
    do not.
    """
    ip = client_ip(request)
    if lockout.is_blocked(username, ip):
        return Outcome.LOCKED, None
    user = authenticate(request, username=username, password=password)
    if user is not None and is_staff_account(user):
        return Outcome.OK, user
    locked = lockout.record_failure(
        username=username,
        ip=ip,
        stage=SignInStage.PASSWORD,
        user=user or _account_named(username),
    )
    return (Outcome.LOCKED if locked else Outcome.WRONG), None


def _second_factor(request: HttpRequest, accepted: bool) -> Outcome:
    """Count a wrong code; sign out when that locks the account."""
    user = request.user
    if accepted:
        lockout.clear_failures(user.get_username())
        logger.info("Staff user %s signed in with a second factor", user.pk)
        return Outcome.OK
    locked = lockout.record_failure(
        username=user.get_username(),
        ip=client_ip(request),
        stage=SignInStage.SECOND_FACTOR,
        user=user,
    )
    if locked:
        logout(request)
        return Outcome.LOCKED
    return Outcome.WRONG


def is_locked_out(request: HttpRequest) -> bool:
    """Whether the signed-in (not yet verified) user may no longer try codes; signs them out."""
    if lockout.is_blocked(request.user.get_username(), client_ip(request)):
        logout(request)
        return True
    return False


def check_code(request: HttpRequest, code: str) -> Outcome:
    """Second step for an enrolled user: a code from the app or a backup code."""
    return _second_factor(request, otp.verify(request, code) is not None)


def confirm_enrolment(
    request: HttpRequest, device: TOTPDevice, code: str
) -> tuple[Outcome, list[str]]:
    """Second step for a user without a device: confirm the new one with its first code.
    Returns the backup codes to show once."""
    codes = otp.confirm_enrolment(request, device, code)
    return _second_factor(request, codes is not None), codes or []
