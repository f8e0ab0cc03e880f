"""Blocks that show something and hold no data."""

from amtsweg.forms.registry import FieldType, registry


@registry.register
class NoticeBlock(FieldType):
    """Static text shown to the applicant; holds no data."""

    name = "notice"
    template = "forms/fields/notice.html"
    holds_data = False
