"""Template support for file fields: a bound file field's value is JSON text (what the hidden
inputs carry), and a template cannot read JSON, so this filter decodes it for the page."""

from django import template

from amtsweg.forms.bound import BoundField
from amtsweg.forms.field_types.files import UploadView, upload_view

register = template.Library()


@register.filter
def file_upload(field: BoundField) -> UploadView:
    """``{% with upload=field|file_upload %}``: files uploaded so far, accept list, limits."""
    return upload_view(field.definition, field.value)
