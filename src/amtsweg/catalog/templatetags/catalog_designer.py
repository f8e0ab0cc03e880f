"""``{% load catalog_designer %}``: what the back-office frame needs to know about designers and
admins, and the adopter's local hints for the citizen's assistant."""

from django import template

from amtsweg.catalog.adoption import adopting_municipalities, step_hint
from amtsweg.catalog.models import Offering
from amtsweg.catalog.services import may_design as user_may_design
from amtsweg.tenants.models import Role
from amtsweg.tenants.services import User, municipalities_for

register = template.Library()


@register.filter
def may_design(user: User) -> bool:
    """Whether to offer ``user`` the designer's pages: ``{% if user|may_design %}``. Clerks
    never see a link that would only lead them to "access denied"."""
    return user_may_design(user)


@register.filter
def may_adopt(user: User) -> bool:
    """Whether to offer ``user`` their municipality's offerings (municipal admins)."""
    return adopting_municipalities(user).exists()


@register.filter
def may_browse_library(user: User) -> bool:
    """Whether to offer ``user`` the solution library (staff of any municipality)."""
    return municipalities_for(user, frozenset(Role.values)).exists()


@register.filter
def local_hint(offering: Offering, step_key: str) -> str:
    """The adopter's local hint for a step of the citizen's assistant:
    ``{{ offering|local_hint:step.key }}``."""
    return step_hint(offering, step_key)
