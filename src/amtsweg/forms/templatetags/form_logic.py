from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from amtsweg.forms.definition import field_kinds

register = template.Library()


@register.simple_tag
def form_logic_data(
    definition: dict[str, Any], answers: dict[str, Any], options: dict[str, Any] | None = None
) -> SafeString:
    """The saved answers, field types and the offering's option values (read by conditions
    as ``$options``) the browser's logic script needs, as JSON blocks."""
    return (
        json_script(answers, "form-answers")
        + json_script(field_kinds(definition), "form-kinds")
        + json_script(options or {}, "form-options")
    )
