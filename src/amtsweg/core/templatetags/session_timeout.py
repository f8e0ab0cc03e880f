"""``{% session_timeout %}``: the hidden warning dialog and its script for a page with a form
in progress (WCAG 2.2.1 "Timing Adjustable")."""

from typing import Any

from django import template

from amtsweg.core import legal

register = template.Library()


@register.inclusion_tag("core/session_timeout.html", takes_context=True)
def session_timeout(context: dict[str, Any]) -> dict[str, Any]:
    """Seconds rather than a clock time, so a wrong clock on the citizen's device does not
    move the warning: rendering this page saved the session, which now lives
    SESSION_COOKIE_AGE seconds from here."""
    warning = legal.session_warning_seconds()
    return {
        "expires_in": legal.session_expires_in(),
        "warning_seconds": warning,
        "warning_minutes": max(1, round(warning / 60)),
        "csrf_token": context.get("csrf_token"),
    }
