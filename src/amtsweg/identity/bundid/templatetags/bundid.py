"""``{% current_citizen as citizen %}``: the logged-in citizen for page headers."""

from django import template

from amtsweg.identity.bundid.identity import CitizenIdentity
from amtsweg.identity.bundid.services import current_citizen as _current_citizen

register = template.Library()


@register.simple_tag(takes_context=True)
def current_citizen(context: template.Context) -> CitizenIdentity | None:
    request = context.get("request")
    return (
        _current_citizen(request) if request is not None and hasattr(request, "session") else None
    )
