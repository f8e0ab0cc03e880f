"""``{% load tenants_admin %}``: the municipalities whose appearance settings a user may edit,
for the back-office header."""

from django import template
from django.db.models import QuerySet

from amtsweg.tenants.models import Municipality, Role
from amtsweg.tenants.services import User, municipalities_for

register = template.Library()


@register.filter
def administered(user: User) -> QuerySet[Municipality]:
    """Where ``user`` is municipal admin: ``{% for m in user|administered %}``."""
    return municipalities_for(user, frozenset({Role.ADMIN})).only("slug", "short_name")
