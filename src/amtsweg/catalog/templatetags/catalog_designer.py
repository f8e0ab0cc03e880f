"""``{% load catalog_designer %}``: the adopter's local hints for the citizen's assistant."""

from django import template

from amtsweg.catalog.adoption import step_hint
from amtsweg.catalog.models import Offering

register = template.Library()


@register.filter
def local_hint(offering: Offering, step_key: str) -> str:
    """The adopter's local hint for a step of the citizen's assistant:
    ``{{ offering|local_hint:step.key }}``."""
    return step_hint(offering, step_key)
