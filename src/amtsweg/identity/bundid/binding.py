"""A SAML message the browser carries to the other party with the HTTP-POST binding."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """What the auto-submitting form posts: ``field`` (SAMLRequest or SAMLResponse) with the
    base64 message to ``destination``."""

    message_id: str
    destination: str
    field: str
    value: str
