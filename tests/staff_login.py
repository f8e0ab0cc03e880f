"""Signing staff in for tests that are about something other than signing in.

The back office needs a second factor (amtsweg.identity.staff), so ``client.login`` alone no
longer opens it. ``login_staff`` checks the password the same way, then marks the session as
verified by a real, confirmed TOTP device of the user, just as django-otp's ``login`` does after
a right code. tests/test_staff_*.py go through the real pages instead.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


def confirmed_device(user: Any) -> TOTPDevice:
    """The user's confirmed authenticator app, set up when they have none."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    )


def totp_code(device: TOTPDevice) -> str:
    """The code the user's app shows now, computed from the device's key as the app does."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login_staff(client: Client, user: Any, password: str = TEST_PASSWORD) -> Any:
    """Sign ``user`` (a user or a user name) in with password and a verified second factor."""
    username = user if isinstance(user, str) else user.get_username()
    assert client.login(username=username, password=password)
    account = get_user_model().objects.get_by_natural_key(username)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(account).persistent_id
    session.save()
    return account
