"""``{% load catalog_designer %}``: what the back-office frame needs to know about designers."""

from django import template

from amtsweg.catalog.services import may_design as user_may_design
from amtsweg.tenants.services import User

register = template.Library()


@register.filter
def may_design(user: User) -> bool:
    """Whether to offer ``user`` the designer's pages: ``{% if user|may_design %}``. Clerks
    never see a link that would only lead them to "access denied"."""
    return user_may_design(user)
