"""Fields and groups bound to what the applicant entered, ready for the step template."""

import json
from dataclasses import dataclass, field
from typing import Any

from amtsweg.forms.registry import registry
from amtsweg.forms.text import localized


@dataclass
class BoundItem:
    """What fields and groups share: the definition, the HTML name and the visibility."""

    definition: dict[str, Any]
    name: str
    #: The language of the texts (label, help), as the validator read it once for the step;
    #: None reads the active language at each use.
    language: str | None = field(default=None, kw_only=True)

    @property
    def key(self) -> str:
        return self.definition["key"]

    @property
    def html_id(self) -> str:
        return "field-" + self.name.replace(".", "-")

    @property
    def label(self) -> str:
        return localized(self.definition.get("label"), self.language)

    @property
    def help(self) -> str:
        return localized(self.definition.get("help"), self.language)

    @property
    def condition_json(self) -> str:
        """The visibility rule for the browser script (empty when always visible)."""
        rule = self.definition.get("visible_if")
        return json.dumps(rule) if rule is not None else ""


@dataclass
class BoundField(BoundItem):
    """A field with the entered value and what is wrong with it."""

    value: str | list[str] = ""
    error: str = ""
    #: Shown now; a field whose condition depends on the same step is shown and hidden by the
    #: browser script (and its answer is dropped on the server when the condition is false).
    shown: bool = True
    #: Prefilled from the applicant's identity and locked: shown read-only (amtsweg.forms.prefill).
    readonly: bool = False
    is_group = False

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
    def required(self) -> bool:
        return bool(self.definition.get("required")) or "required_if" in self.definition

    @property
    def options(self) -> list[dict[str, str]]:
        return registry[self.type].choices(self.definition)

    @property
    def widget(self) -> str:
        """How a choice-like type shows itself ("radio", "select", "search"), where it varies."""
        chooser = getattr(registry[self.type], "widget", None)
        return chooser(self.definition) if chooser else ""

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the first input, so that it gets the focus."""
        return self.html_id + registry[self.type].first_input_suffix(self.definition)

    @property
    def autocomplete(self) -> str:
        return self.definition.get("autocomplete", "")

    @property
    def value_rule_json(self) -> str:
        """A computed field's rule, so the browser can show the value as answers change."""
        rule = self.definition.get("value")
        return json.dumps(rule) if rule is not None else ""


@dataclass
class BoundGroup(BoundItem):
    """A group; a repeatable one holds one list of children per entry."""

    children: list[BoundItem] = field(default_factory=list)
    items: list[list[BoundItem]] = field(default_factory=list)
    error: str = ""
    shown: bool = True
    is_group = True
    template = "forms/fields/group.html"

    @property
    def repeatable(self) -> bool:
        return bool(self.definition.get("repeatable"))

    @property
    def can_add(self) -> bool:
        limit = self.definition.get("max_items")
        return limit is None or len(self.items) < limit

    @property
    def can_remove(self) -> bool:
        return len(self.items) > max(self.definition.get("min_items", 0), 1)

    @property
    def item_label(self) -> str:
        return localized(self.definition.get("item_label"), self.language) or self.label
