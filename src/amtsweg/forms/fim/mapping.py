"""Turning a read XDatenfelder message into an Amtsweg form definition (``schema_version`` 1).

The schema's top-level Datenfeldgruppen become steps; Datenfelder at the top level are
gathered into steps of their own (one step when the schema has only fields). Nested groups become
group items (``"type": "group"``) with ``repeatable``/``min_items``/``max_items`` from their
anzahl; a field that may occur more than once becomes a repeatable group holding that field.
Every step, group and field keeps its FIM id and version under ``"fim"``. What the engine cannot
express (rules, patterns, prefilled values, …) is noted in the report; rules are also kept as
``notes`` on their element, so a designer sees them where they apply.

How a single Datenfeld becomes a field is in ``amtsweg.forms.fim.fields``.
"""

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from amtsweg.forms.fim.fields import FieldMapper
from amtsweg.forms.fim.model import Child, Element, Message

SCHEMA_VERSION = 1
KEY_LENGTH = 40
#: Every type the importer may emit.
FIELD_TYPES = (
    "text",
    "textarea",
    "email",
    "postcode",
    "date",
    "yesno",
    "number",
    "currency",
    "file",
    "codelist",
    "choice",
    "notice",
    "group",
)
GENERAL_STEP_TITLE = {"de": "Allgemeine Angaben", "en": "General information"}
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: str, fallback: str) -> str:
    """A key from an element name: lower case ASCII, words joined by underscores."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATION))
        .encode("ascii", "ignore")
        .decode()
    )
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    if len(key) > KEY_LENGTH:
        key = key[:KEY_LENGTH].rsplit("_", 1)[0] or key[:KEY_LENGTH]
    if not key:
        key = re.sub(r"[^a-z0-9]+", "_", fallback.lower()).strip("_") or "element"
    return f"f_{key}" if key[0].isdigit() else key


class Keys:
    """Hands out keys unique within one list of siblings (``name``, ``name_2``, …)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, base: str) -> str:
        key, number = base, 2
        while key in self.used:
            key = f"{base}_{number}"
            number += 1
        self.used.add(key)
        return key


class Mapper(FieldMapper):
    """Builds the definition for one message and writes notes into the report."""

    def definition(self, message: Message) -> dict[str, Any]:
        root = message.root
        definition: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "fim": self.fim(root),
            "steps": [],
        }
        notes: list[str] = []
        if root.kind == "field":
            steps = [self.fields_step(root, [Child(root, 1, 1, root.line)], root.label)]
        elif root.kind == "group":
            steps = [self.fields_step(root, root.children, root.label, own_notes=True)]
        else:
            notes = self.rule_notes(root)
            steps = self.schema_steps(root)
        keys, answer_keys = Keys(), Keys()
        for step in steps:
            step["key"] = keys.take(step["key"])
            # The answers of all steps are one object, so a key may appear in one step only.
            for item in step["fields"]:
                item["key"] = answer_keys.take(item["key"])
        if not steps:
            self.note(root, _("The schema holds no element the form can show; the form is empty."))
            steps = [
                {
                    "key": slug(root.name, root.fim_id),
                    "title": root.label,
                    "fim": self.fim(root),
                    "fields": [],
                }
            ]
        definition["steps"] = steps
        if notes:
            definition["notes"] = notes
        return definition

    def schema_steps(self, schema: Element) -> list[dict[str, Any]]:
        """Top-level groups become steps; runs of top-level fields become steps of their own."""
        only_fields = all(child.element.kind == "field" for child in schema.children)
        steps: list[dict[str, Any]] = []
        run: list[Child] = []
        for child in schema.children:
            if child.element.kind == "field":
                run.append(child)
                continue
            if run:
                steps.append(self.fields_step(schema, run, GENERAL_STEP_TITLE))
                run = []
            steps.append(self.group_step(child))
        if run:
            title = schema.label if only_fields else GENERAL_STEP_TITLE
            steps.append(self.fields_step(schema, run, title))
        return [step for step in steps if step and step["fields"]]

    def fields_step(
        self,
        owner: Element,
        children: list[Child],
        title: str | dict[str, str],
        *,
        own_notes: bool = False,
    ) -> dict[str, Any]:
        step: dict[str, Any] = {
            "key": slug(owner.name, owner.fim_id) if own_notes else self.step_key(title, owner),
            "title": title,
            "fim": self.fim(owner),
            "fields": self.items(children),
        }
        if own_notes:
            self.describe(step, owner)
        return step

    def step_key(self, title: str | dict[str, str], owner: Element) -> str:
        text = title if isinstance(title, str) else title["de"]
        return slug(text, owner.fim_id)

    def group_step(self, child: Child) -> dict[str, Any] | None:
        """A top-level group as a step: its children directly when it occurs exactly once,
        else the group itself (optional or repeatable) as the step's one item."""
        group = child.element
        step: dict[str, Any] = {
            "key": slug(group.name, group.fim_id),
            "title": group.label,
            "fim": self.fim(group),
        }
        if child.min == 1 and child.max == 1:
            self.describe(step, group)
            step["fields"] = self.items(group.children)
        else:
            item = self.item(child, step["key"])
            step["fields"] = [item] if item else []
        if not step["fields"]:
            self.note(group, _("The group holds nothing the form can show; it is left out."))
            return None
        return step

    # -- items ------------------------------------------------------------------------------

    def items(self, children: list[Child]) -> list[dict[str, Any]]:
        keys = Keys()
        items = []
        for child in children:
            element = child.element
            item = self.item(child, keys.take(slug(element.name or element.label, element.fim_id)))
            if item:
                items.append(item)
        return items

    def item(self, child: Child, key: str) -> dict[str, Any] | None:
        element = child.element
        if child.max == 0:
            self.note(element, _("Its anzahl allows no occurrence (…:0); it is left out."))
            return None
        if element.kind == "group":
            return self.group_item(child, key)
        field = self.field_item(element, key, required=child.min >= 1)
        if field is None or field["type"] == "notice" or child.max == 1:
            return field
        field["required"] = True
        self.note(
            element,
            _(
                "Its anzahl %(anzahl)s allows more than one entry; it is imported as a "
                "repeatable group holding the one field."
            )
            % {"anzahl": f"{child.min}:{child.max or '*'}"},
        )
        return self.group(element, key, [field], child) | {"fim": self.fim(element)}

    def group(
        self, element: Element, key: str, fields: list[dict[str, Any]], child: Child
    ) -> dict[str, Any]:
        return {
            "key": key,
            "type": "group",
            "label": element.label,
            "fields": fields,
            "repeatable": child.max is None or child.max > 1,
            "min_items": child.min,
            "max_items": child.max,
            "required": child.min >= 1,
        }

    def group_item(self, child: Child, key: str) -> dict[str, Any] | None:
        group = child.element
        fields = self.items(group.children)
        if not fields:
            self.note(group, _("The group holds nothing the form can show; it is left out."))
            return None
        item = self.group(group, key, fields, child)
        self.describe(item, group)
        item["fim"] = self.fim(group)
        return item

    def describe(self, item: dict[str, Any], element: Element) -> None:
        """Help text, rules and the Auswahlgruppe hint of a step or group."""
        if element.help:
            item["help"] = element.help
        notes = self.rule_notes(element)
        if element.group_kind == "X":
            notes.insert(0, "Auswahlgruppe: genau eines der enthaltenen Elemente ausfüllen.")
            self.note(
                element,
                _(
                    "It is an Auswahlgruppe (exactly one of its elements is to be filled); "
                    "the form does not enforce that, it is kept as a note."
                ),
            )
        elif element.group_kind:
            self.note(
                element,
                _("Its group kind (art) “%(art)s” is unknown; it is imported as a plain group.")
                % {"art": element.group_kind},
            )
        if notes:
            item["notes"] = notes
