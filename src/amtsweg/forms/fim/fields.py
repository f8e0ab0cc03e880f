"""Turning one Datenfeld into a form field, and what every mapping step shares.

text → text (textarea above 200 characters; email or postcode when the pattern says so), date →
date, bool → yesno, num/num_int → number, num_currency → currency, file/obj → file, select →
choice (inline values), codelist (genericode list that came with the schema) or text keeping
the list's uri and version, label/locked → notice, hidden → left out. Bounds and lengths come
from the praezisierung; what the engine cannot check is noted in the report.
"""

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from amtsweg.forms.fim.genericode import CodeListIndex
from amtsweg.forms.fim.model import Element, Rule
from amtsweg.forms.fim.report import Report, Where

#: Above this many characters a text field becomes a textarea.
LONG_TEXT = 200
_POSTCODE_SAMPLES = ("64283", "01067", "99998")
_NOT_POSTCODES = ("6428", "642831", "ABCDE")


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


class FieldMapper:
    """Maps fields and writes notes into the report; ``mapping.Mapper`` adds the structure."""

    def __init__(self, filename: str, report: Report, code_lists: CodeListIndex) -> None:
        self.filename = filename
        self.report = report
        self.code_lists = code_lists

    def where(self, element: Element) -> Where:
        return Where(self.filename, element.kind, element.fim_id, element.version, element.line)

    def note(self, element: Element, message: str) -> None:
        self.report.add(self.where(element), message)

    # -- the form ---------------------------------------------------------------------------

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
