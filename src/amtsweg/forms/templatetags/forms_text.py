from django import template

from amtsweg.forms.text import LocalizedText
from amtsweg.forms.text import localized as pick_localized

register = template.Library()


@register.filter
def localized(text: LocalizedText | None) -> str:
    """Show a form definition's text in the active language: ``{{ step.title|localized }}``."""
    return pick_localized(text)
