from django import template

from amtsweg.forms.text import LocalizedText
from amtsweg.forms.text import localized as pick_localized

register = template.Library()


@register.filter
def localized(text: LocalizedText | None, language: str = "") -> str:
    """Show a form definition's text in the active language: ``{{ step.title|localized }}``.

    ``{{ step.title|localized:LANGUAGE_CODE }}`` takes the language the page read once at its
    top instead of reading the active one again, which is dear (``amtsweg.lib.per_render``):
    for templates within ``base.html``, which sets ``LANGUAGE_CODE`` (an unknown argument is
    an error). An empty language reads the active one."""
    return pick_localized(text, language or None)
