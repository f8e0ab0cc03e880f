"""Turning a read XDatenfelder message into an Amtsweg form definition (``schema_version`` 1).

The schema's top-level Datenfeldgruppen become steps; Datenfelder at the top level are
gathered into steps of their own (one step when the schema has only fields). Nested groups become
group items (``"type": "group"``) with ``repeatable``/``min_items``/``max_items`` from their
anzahl; a field that may occur more than once becomes a repeatable group holding that field.
Every step, group and field keeps its FIM id and version under ``"fim"``. What the engine cannot
express (rules, patterns, prefilled values, …) is noted in the report; rules are also kept as
``notes`` on their element, so a designer sees them where they apply.

Field types: text → text (textarea above 200 characters; email or postcode when the pattern says
so), date → date, bool → yesno, num/num_int → number, num_currency → currency, file → file,
select → choice (inline values) or codelist (genericode list) or, when the list did not come
with the schema, text that keeps the list's uri and version, label → notice.
"""

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from amtsweg.forms.fim.genericode import CodeListIndex
from amtsweg.forms.fim.model import Child, Element, Message, Rule
from amtsweg.forms.fim.report import Report, Where

SCHEMA_VERSION = 1
#: Above this many characters a text field becomes a textarea.
LONG_TEXT = 200
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
_POSTCODE_SAMPLES = ("64283", "01067", "99998")
_NOT_POSTCODES = ("6428", "642831", "ABCDE")


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


def rule_note(rule: Rule) -> str:
    """A rule as readable text for a designer, e.g. ``Regel R123 „Name“: Wenn …``."""
    note = f"Regel {rule.fim_id}"
    if rule.name:
        note += f" „{rule.name}“"
    if rule.text and rule.text != rule.name:
        note += f": {rule.text}"
    if rule.script:
        note += f" [Skript: {' '.join(rule.script.split())}]"
    return note


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _positive_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


class Mapper:
    """Builds the definition for one message and writes notes into the report."""

    def __init__(self, filename: str, report: Report, code_lists: CodeListIndex) -> None:
        self.filename = filename
        self.report = report
        self.code_lists = code_lists

    def where(self, element: Element) -> Where:
        return Where(self.filename, element.kind, element.fim_id, element.version, element.line)

    def note(self, element: Element, message: str) -> None:
        self.report.add(self.where(element), message)

    # -- the form ---------------------------------------------------------------------------

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
        keys = Keys()
        for step in steps:
            step["key"] = keys.take(step["key"])
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

    def rule_notes(self, element: Element) -> list[str]:
        notes = []
        for rule in element.rules:
            notes.append(rule_note(rule))
            self.note(
                element,
                _(
                    "Regel %(rule)s “%(name)s” cannot be carried out by the form; it is kept "
                    "as a note on the element."
                )
                % {"rule": rule.fim_id, "name": rule.name},
            )
        return notes

    def fim(self, element: Element) -> dict[str, str | None]:
        return {"id": element.fim_id, "version": element.version}

    # -- fields -----------------------------------------------------------------------------

    def field_item(self, element: Element, key: str, *, required: bool) -> dict[str, Any] | None:
        kind = element.input_kind
        if kind == "hidden":
            self.note(element, _("It is a hidden field (feldart hidden); it is left out."))
            return None
        item: dict[str, Any] = {"key": key, "type": "text", "label": element.label}
        if kind in ("label", "locked"):
            item["type"] = "notice"
            text = "\n\n".join(part for part in (element.content, element.help) if part)
            if text:
                item["help"] = text
            if kind == "locked":
                self.note(
                    element,
                    _("It is a locked field (feldart locked); it is shown as static text."),
                )
        else:
            item["required"] = required
            if element.help:
                item["help"] = element.help
            if kind == "select":
                self.select(element, item)
                self.unused_precision(element, lengths=True, values=True)
            else:
                if kind != "input":
                    self.note(
                        element,
                        _("Its feldart “%(kind)s” is unknown; it is imported as an input field.")
                        % {"kind": kind or "–"},
                    )
                self.input(element, item)
            self.prefill(element)
            if item["type"] != "file" and (element.max_size or element.media_types):
                self.note(
                    element,
                    _("Its maxSize and mediaType apply to file fields only; they are ignored."),
                )
        item["fim"] = self.fim(element)
        notes = self.rule_notes(element)
        if notes:
            item["notes"] = notes
        for name, value in element.precision.unknown:
            self.note(
                element,
                _("Its praezisierung has “%(name)s” = “%(value)s”, which is not understood.")
                % {"name": name, "value": value},
            )
        return item

    def prefill(self, element: Element) -> None:
        if element.content:
            self.note(
                element,
                _("Its prefilled value (inhalt) “%(value)s” is not applied.")
                % {"value": element.content},
            )
        if element.prefill and element.prefill != "keine":
            self.note(
                element,
                _("It is to be prefilled (vorbefuellung “%(mode)s”); the form does not do that.")
                % {"mode": element.prefill},
            )

    def input(self, element: Element, item: dict[str, Any]) -> None:
        data_type = element.data_type
        if data_type in ("text", "text_latin"):
            self.text(element, item)
            if data_type == "text_latin":
                self.note(
                    element,
                    _(
                        "Its datentyp text_latin (DIN SPEC 91379 characters) is imported as "
                        "text; the character set is not checked."
                    ),
                )
            return
        if data_type == "date":
            item["type"] = "date"
        elif data_type == "bool":
            item["type"] = "yesno"
        elif data_type in ("num", "num_int"):
            item["type"] = "number"
            self.bounds(element, item, whole=True)
            if data_type == "num":
                self.note(
                    element,
                    _(
                        "Its datentyp num allows decimals; the form's number field takes whole "
                        "numbers."
                    ),
                )
        elif data_type == "num_currency":
            item["type"] = "currency"
            self.bounds(element, item, whole=False)
        elif data_type in ("file", "obj"):
            item["type"] = "file"
            size = _positive_int(element.max_size)
            if size:
                item["max_size"] = size
            elif element.max_size:
                self.note(
                    element, _("Its maxSize “%(size)s” is no number.") % {"size": element.max_size}
                )
            if element.media_types:
                item["media_types"] = element.media_types
            if data_type == "obj":
                self.note(element, _("Its datentyp obj (Blob) is imported as a file upload."))
        else:
            self.note(
                element,
                _("Its datentyp “%(type)s” has no matching field type; it is imported as text.")
                % {"type": data_type or "–"},
            )
            self.text(element, item)
            return
        numeric = data_type in ("num", "num_int", "num_currency")
        self.unused_precision(element, lengths=True, values=not numeric)

    def text(self, element: Element, item: dict[str, Any]) -> None:
        precision = element.precision
        max_length = self.length(element, precision.max_length, "maxLength")
        min_length = self.length(element, precision.min_length, "minLength")
        special = self.pattern_type(precision.pattern, max_length)
        if special:
            item["type"] = special
            if special == "email" and max_length:
                item["max_length"] = max_length
        else:
            if max_length:
                item["max_length"] = max_length
                if max_length > LONG_TEXT:
                    item["type"] = "textarea"
            if precision.pattern:
                self.note(
                    element,
                    _("Its pattern “%(pattern)s” is not checked by the form.")
                    % {"pattern": precision.pattern},
                )
            if min_length and min_length > 1:
                self.note(
                    element,
                    _("Its minimum length %(length)d is not checked by the form.")
                    % {"length": min_length},
                )
        self.unused_precision(element, lengths=False, values=True)

    def pattern_type(self, pattern: str, max_length: int | None) -> str:
        """``email`` or ``postcode`` when a text pattern describes one, else ''."""
        if not pattern:
            return ""
        if "@" in pattern:
            return "email"
        if max_length not in (None, 5):
            return ""
        try:
            compiled = re.compile(pattern)
            if all(compiled.fullmatch(sample) for sample in _POSTCODE_SAMPLES) and not any(
                compiled.fullmatch(sample) for sample in _NOT_POSTCODES
            ):
                return "postcode"
        except (re.error, RecursionError, OverflowError):
            return ""
        return ""

    def length(self, element: Element, text: str, name: str) -> int | None:
        if not text:
            return None
        number = _positive_int(text)
        if number is None:
            self.note(
                element,
                _("Its %(name)s “%(value)s” is no whole number; it is ignored.")
                % {"name": name, "value": text},
            )
        return number

    def bounds(self, element: Element, item: dict[str, Any], *, whole: bool) -> None:
        precision = element.precision
        for name, text, key in (
            ("minValue", precision.min_value, "min"),
            ("maxValue", precision.max_value, "max"),
        ):
            if not text:
                continue
            number = _number(text)
            if number is None:
                self.note(
                    element,
                    _("Its %(name)s “%(value)s” is no number; it is ignored.")
                    % {"name": name, "value": text},
                )
                continue
            if whole:
                item[key] = math.ceil(number) if key == "min" else math.floor(number)
            else:
                item[key] = _json_number(number)
        if "min" in item and "max" in item and item["min"] > item["max"]:
            self.note(element, _("Its minValue is above its maxValue; both are ignored."))
            del item["min"], item["max"]

    def unused_precision(self, element: Element, *, lengths: bool, values: bool) -> None:
        precision = element.precision
        unused = []
        if lengths:
            unused += [("minLength", precision.min_length), ("maxLength", precision.max_length)]
            unused.append(("pattern", precision.pattern))
        if values:
            unused += [("minValue", precision.min_value), ("maxValue", precision.max_value)]
        for name, value in unused:
            if value:
                self.note(
                    element,
                    _("Its %(name)s “%(value)s” does not apply to its type; it is ignored.")
                    % {"name": name, "value": value},
                )

    def select(self, element: Element, item: dict[str, Any]) -> None:
        reference = element.code_list
        if element.values:
            item["type"] = "choice"
            item["options"] = self.options(element)
            if reference and (reference.uri or reference.version_uri):
                self.note(
                    element,
                    _("It has inline values and a code list reference; the values are used."),
                )
            if not item["options"]:
                item["type"] = "text"
                del item["options"]
            return
        if element.data_type == "bool":
            item["type"] = "yesno"
            return
        if not reference or not (reference.uri or reference.version_uri):
            self.note(
                element,
                _("It is a selection without values or code list; it is imported as text."),
            )
            return
        code_list = self.code_lists.find(reference)
        uri = reference.uri or (code_list.uri if code_list else "")
        version = reference.version or (code_list.version if code_list else "")
        if code_list is None:
            item["codelist"] = {"uri": uri, "version": version}
            others = self.code_lists.other_versions(reference)
            message = _(
                "Its code list %(uri)s (version %(version)s) did not come with the schema; the "
                "field is imported as text until the list is supplied (e.g. in a ZIP with the "
                "schema)."
            ) % {"uri": uri or reference.version_uri, "version": version or "–"}
            if others:
                message += " " + _("Versions present: %(versions)s.") % {
                    "versions": ", ".join(others)
                }
            self.note(element, message)
            return
        codes, skipped = code_list.codes(reference.code_key, reference.name_key)
        for key_name, key in (("codeKey", reference.code_key), ("nameKey", reference.name_key)):
            if key and not code_list.column_for(key):
                self.note(
                    element,
                    _("Its %(name)s “%(key)s” names no column of code list %(uri)s.")
                    % {"name": key_name, "key": key, "uri": uri},
                )
        if skipped:
            self.note(
                element,
                _("%(count)d rows of code list %(uri)s have no or a repeated code; left out.")
                % {"count": skipped, "uri": uri},
            )
        if not codes:
            item["codelist"] = {"uri": uri, "version": version}
            self.note(
                element,
                _("Its code list %(uri)s has no entries; it is imported as text.") % {"uri": uri},
            )
            return
        item["type"] = "codelist"
        item["codelist"] = {"uri": uri, "version": version, "codes": codes}

    def options(self, element: Element) -> list[dict[str, str]]:
        options: list[dict[str, str]] = []
        seen: set[str] = set()
        for value in element.values:
            if not value.code or value.code in seen:
                self.note(
                    element,
                    _("The value “%(name)s” has no or a repeated code; it is left out.")
                    % {"name": value.name},
                )
                continue
            seen.add(value.code)
            options.append({"value": value.code, "label": value.name or value.code})
            if value.help:
                self.note(
                    element,
                    _("The help text of value “%(code)s” is not shown.") % {"code": value.code},
                )
        return options
