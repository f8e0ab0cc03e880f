"""The staff session clock: signed out after inactivity, and absolutely after a working day.

A staff sign-in stamps the session with when it started and when it was last used. Django's own
``SESSION_COOKIE_AGE`` is renewed whenever the session is saved, so it cannot end a session that
is in use; the start time here does. Sessions without the stamp (citizens, anonymous visitors)
are left alone.
"""

from enum import Enum

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "amtsweg_staff_clock"
#: How often the last-used time is written: not on every request, which would save the session
#: (a database write) for every page and htmx fragment.
TOUCH_SECONDS = 60


class Expiry(Enum):
    IDLE = "idle"
    ABSOLUTE = "absolute"


def start(request: HttpRequest) -> None:
    """Stamp a fresh staff session (called when a staff account signs in)."""
    now = timezone.now().timestamp()
    request.session[SESSION_KEY] = {"started": now, "seen": now}


def is_staff_session(request: HttpRequest) -> bool:
    return SESSION_KEY in request.session


def check(request: HttpRequest) -> Expiry | None:
    """Sign the user out if the staff session has expired and say why; else note the visit."""
    clock = request.session.get(SESSION_KEY)
    if not isinstance(clock, dict):
        return None
    now = timezone.now().timestamp()
    expiry = None
    if now - clock.get("started", 0) > settings.SESSION_COOKIE_AGE:
        expiry = Expiry.ABSOLUTE
    elif now - clock.get("seen", 0) > settings.AMTSWEG_STAFF_SESSION_IDLE_MINUTES * 60:
        expiry = Expiry.IDLE
    if expiry is not None:
        logout(request)
        return expiry
    if now - clock.get("seen", 0) >= TOUCH_SECONDS:
        request.session[SESSION_KEY] = {**clock, "seen": now}
    return None
