"""Give Django forms the KERN UX input classes, so templates render widgets as they are."""

from django import forms

_ERROR_CLASS = "kern-form-input__input--error"


class KernFormMixin:
    """Mix into a ``forms.Form``: inputs get ``kern-form-input__input``, selects the select
    class, invalid inputs the error modifier. Django adds aria-invalid and aria-describedby."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "kern-form-input__select"
                if isinstance(field.widget, forms.Select)
                else "kern-form-input__input"
            )
            field.widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {_ERROR_CLASS}".strip()
