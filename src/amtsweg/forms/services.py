"""The forms engine's public door: check a definition, validate answers, describe them.

A form definition (JSON, ``schema_version`` 1) is a list of steps, each with fields::

    {"schema_version": 1,
     "steps": [{"key": "owner", "title": {"de": "Halter", "en": "Owner"},
                "fields": [{"key": "family_name", "type": "text", "required": true,
                            "label": {"de": "Familienname", "en": "Family name"},
                            "applicant": "family_name"}]}]}

Field keys are unique across the whole form, so the answers are one flat mapping. A field may
name the applicant attribute it carries (``applicant``: given_name, family_name, email), which
is how the platform learns whom to write to without knowing the form.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.utils.translation import gettext as _

from amtsweg.forms import field_types  # noqa: F401  (registers the built-in types)
from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.text import localized

SCHEMA_VERSION = 1
APPLICANT_ATTRIBUTES = {"given_name", "family_name", "email"}


class DefinitionError(ValueError):
    """The form definition itself is broken; ``problems`` lists what a designer must fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class BoundField:
    """A field together with what the applicant entered and what is wrong with it."""

    definition: dict[str, Any]
    value: str | list[str] = ""
    error: str = ""

    @property
    def key(self) -> str:
        return self.definition["key"]

    @property
    def html_id(self) -> str:
        return f"field-{self.key}"

    @property
    def type(self) -> str:
        return self.definition["type"]

    @property
    def template(self) -> str:
        return registry[self.type].template

    @property
    def input_type(self) -> str:
        return registry[self.type].input_type

    @property
    def label(self) -> str:
        return localized(self.definition.get("label"))

    @property
    def help(self) -> str:
        return localized(self.definition.get("help"))

    @property
    def required(self) -> bool:
        return bool(self.definition.get("required"))

    @property
    def options(self) -> list[dict[str, str]]:
        return registry[self.type].choices(self.definition)

    @property
    def autocomplete(self) -> str:
        return self.definition.get("autocomplete", "")


@dataclass
class StepResult:
    """The outcome of checking one step: the cleaned values and the fields to show again."""

    values: dict[str, Any]
    fields: list[BoundField]
    errors: list[BoundField] = dataclass_field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def check_definition(definition: dict[str, Any]) -> None:
    """Raise ``DefinitionError`` listing every problem of a form definition."""
    problems: list[str] = []
    if definition.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema_version must be {SCHEMA_VERSION}.")
    steps = definition.get("steps")
    if not isinstance(steps, list) or not steps:
        raise DefinitionError([*problems, "A form needs at least one step."])
    seen_steps: set[str] = set()
    seen_fields: set[str] = set()
    for step in steps:
        step_key = step.get("key")
        if not step_key or step_key in seen_steps:
            problems.append(f"Step key {step_key!r} is missing or used twice.")
        seen_steps.add(step_key)
        if not step.get("title"):
            problems.append(f"Step {step_key!r} has no title.")
        for field in step.get("fields", []):
            key, type_name = field.get("key"), field.get("type")
            if not key or key in seen_fields:
                problems.append(f"Field key {key!r} is missing or used twice.")
            seen_fields.add(key)
            if type_name not in registry:
                problems.append(f"Field {key!r} has the unknown type {type_name!r}.")
                continue
            if registry[type_name].holds_data and not field.get("label"):
                problems.append(f"Field {key!r} has no label.")
            applicant = field.get("applicant")
            if applicant and applicant not in APPLICANT_ATTRIBUTES:
                problems.append(
                    f"Field {key!r} names the unknown applicant attribute {applicant!r}."
                )
            problems.extend(registry[type_name].check_definition(field))
    if problems:
        raise DefinitionError(problems)


def steps_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return definition["steps"]


def step_index(definition: dict[str, Any], step_key: str) -> int | None:
    """The position of ``step_key`` in the form, or None for an unknown step."""
    for index, step in enumerate(definition["steps"]):
        if step["key"] == step_key:
            return index
    return None


def bind_step(step: dict[str, Any], data: dict[str, Any]) -> list[BoundField]:
    """The step's fields filled with previously saved answers, for showing the step again."""
    bound = []
    for field in step.get("fields", []):
        field_type = registry[field["type"]]
        value = field_type.as_input(field, data.get(field["key"]))
        bound.append(BoundField(field, value=value))
    return bound


def validate_step(step: dict[str, Any], raw: dict[str, list[str]]) -> StepResult:
    """Check what the applicant sent for one step. ``raw`` maps field keys to the sent strings."""
    values: dict[str, Any] = {}
    fields: list[BoundField] = []
    errors: list[BoundField] = []
    for field in step.get("fields", []):
        field_type = registry[field["type"]]
        sent = raw.get(field["key"], [])
        bound = BoundField(field, value=sent[0] if sent else "")
        fields.append(bound)
        if not field_type.holds_data:
            continue
        try:
            value = field_type.parse(field, sent)
            if value is None and field.get("required"):
                raise FieldError(_required_message(field))
        except FieldError as problem:
            bound.error = str(problem)
            errors.append(bound)
            continue
        values[field["key"]] = value
    return StepResult(values=values, fields=fields, errors=errors)


def _required_message(field: dict[str, Any]) -> str:
    if field["type"] in {"choice", "yesno"}:
        return _("Choose an answer for “%(label)s”.") % {"label": localized(field["label"])}
    return _("Enter “%(label)s”.") % {"label": localized(field["label"])}


def validate_submission(definition: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Check a complete data set against the definition: field key → problem (empty if valid).

    This is the check at submit time, against the version the data was made with; it re-parses
    every stored value, so data changed behind the form's back cannot slip through.
    """
    problems: dict[str, str] = {}
    known: set[str] = set()
    for step in definition["steps"]:
        for field in step.get("fields", []):
            field_type = registry[field["type"]]
            if not field_type.holds_data:
                continue
            known.add(field["key"])
            stored = data.get(field["key"])
            try:
                sent = [] if stored is None else [field_type.as_input(field, stored)]
                value = field_type.parse(field, sent)
                if value is None and field.get("required"):
                    raise FieldError(_required_message(field))
            except FieldError as problem:
                problems[field["key"]] = str(problem)
    for key in set(data) - known:
        problems[key] = _("This answer does not belong to the form.")
    return problems


def summarize(definition: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers per step with their labels, for the summary page and the case view."""
    summary = []
    for step in definition["steps"]:
        rows = []
        for field in step.get("fields", []):
            field_type = registry[field["type"]]
            if not field_type.holds_data:
                continue
            rows.append(
                {
                    "key": field["key"],
                    "label": localized(field.get("label")),
                    "value": field_type.as_text(field, data.get(field["key"])),
                }
            )
        summary.append({"key": step["key"], "title": localized(step["title"]), "rows": rows})
    return summary


def applicant_attributes(definition: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """The applicant's name and e-mail as marked in the definition (``applicant`` on a field)."""
    found: dict[str, str] = {}
    for step in definition["steps"]:
        for field in step.get("fields", []):
            attribute = field.get("applicant")
            if attribute and data.get(field["key"]):
                found[attribute] = str(data[field["key"]])
    return found
