"""Why a log-in was refused, and what the citizen reads about it.

Every refused SAML response ends on a page that names the failed check and says what to do,
in the visitor's language; the technical detail goes to the log, never to the page.
"""

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Reason(StrEnum):
    MALFORMED = "malformed"
    SIGNATURE = "signature"
    AUDIENCE = "audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    IN_RESPONSE_TO = "in_response_to"
    REPLAY = "replay"
    RECIPIENT = "recipient"
    IDP_STATUS = "idp_status"
    ATTRIBUTES = "attributes"
    OTHER_BROWSER = "other_browser"
    INVALID = "invalid"


class NotConfigured(Exception):
    """No identity provider is configured: no BundID metadata and no test identity provider."""


class Refused(Exception):
    """A SAML message failed a check; ``reason`` says which, ``detail`` is for the log."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


#: (what happened, what to do) per reason.
MESSAGES: dict[Reason, tuple[Promise, Promise]] = {
    Reason.MALFORMED: (
        _("The answer from BundID could not be read."),
        _("Please log in again. If this keeps happening, contact the office."),
    ),
    Reason.SIGNATURE: (
        _("The answer from BundID carries no valid signature, so it may have been altered."),
        _("Please log in again. Do not use links or forms from other sources to log in."),
    ),
    Reason.AUDIENCE: (
        _("The answer from BundID was meant for another online service, not for this one."),
        _("Please start the log-in again from this page."),
    ),
    Reason.EXPIRED: (
        _("The answer from BundID has expired."),
        _(
            "Please log in again and complete the log-in within a few minutes. If the clock "
            "of your device is wrong, this does not matter: the times are checked on the server."
        ),
    ),
    Reason.NOT_YET_VALID: (
        _("The answer from BundID is not valid yet."),
        _("Please wait a moment and log in again."),
    ),
    Reason.IN_RESPONSE_TO: (
        _("The answer from BundID does not belong to a log-in started here."),
        _("Please start the log-in again from this page."),
    ),
    Reason.REPLAY: (
        _("This answer from BundID has already been used to log in."),
        _("Each log-in can be used only once. Please log in again."),
    ),
    Reason.RECIPIENT: (
        _("The answer from BundID was addressed to another page."),
        _("Please start the log-in again from this page."),
    ),
    Reason.IDP_STATUS: (
        _("BundID did not confirm the log-in (it was cancelled or could not be completed)."),
        _("Please log in again, or continue without logging in where the service allows it."),
    ),
    Reason.ATTRIBUTES: (
        _("BundID did not send the identifier of your account."),
        _("Please log in with your BundID account (not as a guest) and try again."),
    ),
    Reason.OTHER_BROWSER: (
        _("This log-in was started in another browser or has already been completed."),
        _("Please start the log-in again in this browser."),
    ),
    Reason.INVALID: (
        _("The answer from BundID could not be accepted."),
        _("Please log in again. If this keeps happening, contact the office."),
    ),
}


#: What happened, for a refused single logout message (what to do is the same for all).
LOGOUT_MESSAGES: dict[Reason, Promise] = {
    Reason.SIGNATURE: _(
        "The log-out message carries no valid signature of BundID, so it may have been altered."
    ),
    Reason.IN_RESPONSE_TO: _("This log-out answer does not belong to a log-out started here."),
    Reason.IDP_STATUS: _("BundID reports that it could not end its session."),
    Reason.EXPIRED: _("The log-out message has expired."),
    Reason.RECIPIENT: _("The log-out message was addressed to another page."),
}
LOGOUT_UNREADABLE = _("The log-out message from BundID could not be accepted.")
