"""Choices: one of several options (radio buttons or a select), several of them (checkboxes),
yes/no, and an entry of a published code list."""

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amtsweg.forms.registry import FieldError, FieldType, registry
from amtsweg.forms.text import localized


@registry.register
class ChoiceField(FieldType):
    """One of ``options`` (each ``{"value": ..., "label": ...}``), shown as radio buttons."""

    name = "choice"
    template = "forms/fields/radio.html"

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return "-1"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if value not in {option["value"] for option in field.get("options", [])}:
            raise FieldError(_("Choose one of the options shown."))
        return value

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        labels = {choice["value"]: choice["label"] for choice in self.choices(field)}
        return labels.get(value, value)

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {"value": option["value"], "label": localized(option["label"])}
            for option in field.get("options", [])
        ]

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        return option_problems(field, field.get("options"), what="options", value="value")


@registry.register
class YesNoField(FieldType):
    """A yes/no question, stored as true/false."""

    name = "yesno"
    template = "forms/fields/yesno.html"

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return "-1"

    values: ClassVar[dict[str, bool]] = {"yes": True, "no": False}

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if value not in self.values:
            raise FieldError(_("Choose yes or no."))
        return self.values[value]

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return _("Yes") if value else _("No")

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return "yes" if value else "no"

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        return [{"value": "yes", "label": _("Yes")}, {"value": "no", "label": _("No")}]


def option_problems(field: dict[str, Any], entries: Any, *, what: str, value: str) -> list[str]:
    """Problems with a list of options (or codes): missing, without a value or label, twice.

    ``what`` names the list in messages ("options", "codes"), ``value`` the key of an entry's
    value ("value", "code").
    """
    key = field.get("key")
    if not isinstance(entries, list) or not entries:
        return [f"Field {key!r} of type {field.get('type')} has no {what}."]
    problems: list[str] = []
    values: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append(f"Field {key!r} has an entry in its {what} that is not an object.")
            continue
        if not isinstance(entry.get(value), str) or not entry[value]:
            problems.append(f"Field {key!r} has an entry in its {what} without a {value}.")
            continue
        if not entry.get("label"):
            problems.append(f"Field {key!r} has the entry {entry[value]!r} without a label.")
        values.append(entry[value])
    if len(values) != len(set(values)):
        problems.append(f"Field {key!r} has duplicate {what}.")
    return problems


def _labels(choices: list[dict[str, str]]) -> dict[str, str]:
    return {choice["value"]: choice["label"] for choice in choices}


@registry.register
class SelectField(ChoiceField):
    """Like ``choice``, but shown as a drop-down list that starts with an empty "Please choose"
    entry; for longer lists of options."""

    name = "select"
    template = "forms/fields/select.html"

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return ""

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        return option_problems(field, field.get("options"), what="options", value="value")


@registry.register
class MultiChoiceField(FieldType):
    """Any number of ``options``, shown as checkboxes; stored as a list of option values in the
    order of the options. ``min_selected``/``max_selected`` bound how many.

    The browser sends one value per ticked box under the field's name, so ``parse`` reads all of
    ``raw``; ``as_input`` gives a list, and the template ticks each option that is in it.
    """

    name = "multichoice"
    template = "forms/fields/multichoice.html"

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return "-1"

    #: Several values under one name: whoever binds what was sent should keep all of them.
    multiple: ClassVar[bool] = True

    def parse(self, field: dict[str, Any], raw: list[Any]) -> Any:
        sent: list[Any] = []
        for item in raw:
            # A caller that wraps as_input's list ([as_input(stored)]) is understood too.
            sent.extend(item if isinstance(item, list) else [item])
        if any(not isinstance(item, str) for item in sent):
            raise FieldError(_("Choose only from the options shown."))
        chosen = {item.strip() for item in sent} - {""}
        if not chosen:
            return None
        offered = [option.get("value") for option in field.get("options", [])]
        if not chosen <= set(offered):
            raise FieldError(_("Choose only from the options shown."))
        low, high = field.get("min_selected"), field.get("max_selected")
        if isinstance(low, int) and len(chosen) < low:
            raise FieldError(
                ngettext(
                    "Choose at least %(min)d option.", "Choose at least %(min)d options.", low
                )
                % {"min": low}
            )
        if isinstance(high, int) and len(chosen) > high:
            raise FieldError(
                ngettext("Choose at most %(max)d option.", "Choose at most %(max)d options.", high)
                % {"max": high}
            )
        return [value for value in offered if value in chosen]

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, list):
            return str(value)
        labels = _labels(self.choices(field))
        return ", ".join(labels.get(item, str(item)) for item in value)

    def as_input(self, field: dict[str, Any], value: Any) -> list[Any]:  # type: ignore[override]
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {"value": option["value"], "label": localized(option.get("label"))}
            for option in field.get("options", [])
            if isinstance(option, dict) and "value" in option
        ]

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        options = field.get("options")
        problems = option_problems(field, options, what="options", value="value")
        key, count = field.get("key"), len(options) if isinstance(options, list) else 0
        bounds: dict[str, int] = {}
        for name in ("min_selected", "max_selected"):
            if name not in field:
                continue
            bound = field[name]
            if isinstance(bound, bool) or not isinstance(bound, int) or bound < 0:
                problems.append(f"Field {key!r} has a {name} that is not a whole number ≥ 0.")
            else:
                bounds[name] = bound
        low, high = bounds.get("min_selected"), bounds.get("max_selected")
        if low is not None and high is not None and low > high:
            problems.append(f"Field {key!r} has min_selected greater than max_selected.")
        if low is not None and count and low > count:
            problems.append(f"Field {key!r} asks for more options than it offers.")
        if high == 0:
            problems.append(f"Field {key!r} has max_selected 0; no option could be chosen.")
        return problems


@registry.register
class CodelistField(FieldType):
    """One code of a published code list (e.g. from XRepository), stored as the code::

        {"codelist": {"uri": "urn:de:...", "version": "1", "codes": [{"code": "1", "label": ...}]}}

    Shown as radio buttons for up to ``radio_limit`` codes, as a select for more, and as a
    searchable text input (with a datalist of the labels) beyond ``search_limit``: nobody
    scrolls through 400 nationalities. There the applicant may type the label or the code.
    """

    name = "codelist"
    template = "forms/fields/codelist.html"
    radio_limit: ClassVar[int] = 7
    search_limit: ClassVar[int] = 30

    def widget(self, field: dict[str, Any]) -> str:
        """ "radio", "select" or "search", by the number of codes."""
        count = len(self.choices(field))
        if count <= self.radio_limit:
            return "radio"
        return "select" if count <= self.search_limit else "search"

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return "-1" if self.widget(field) == "radio" else ""

    def codes(self, field: dict[str, Any]) -> list[Any]:
        codelist = field.get("codelist")
        codes = codelist.get("codes") if isinstance(codelist, dict) else None
        return codes if isinstance(codes, list) else []

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        labels = _labels(self.choices(field))
        if value in labels:
            return value
        if self.widget(field) == "search":
            typed = value.casefold()
            for code, label in labels.items():
                if label.casefold() == typed:
                    return code
            raise FieldError(
                _("Choose one of the suggestions, or type the name exactly as it is listed.")
            )
        raise FieldError(_("Choose one of the options shown."))

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        if self.widget(field) == "search":
            return _labels(self.choices(field)).get(value, str(value))
        return str(value)

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return _labels(self.choices(field)).get(value, str(value))

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {"value": code["code"], "label": localized(code.get("label")) or code["code"]}
            for code in self.codes(field)
            if isinstance(code, dict) and isinstance(code.get("code"), str)
        ]

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        key, codelist = field.get("key"), field.get("codelist")
        if not isinstance(codelist, dict):
            return [f"Field {key!r} of type codelist has no codelist."]
        problems = [
            f"Field {key!r} has a codelist {name} that is not a text."
            for name in ("uri", "version")
            if name in codelist and not isinstance(codelist[name], str)
        ]
        codes = codelist.get("codes")
        problems += option_problems(field, codes, what="codes", value="code")
        return problems
