"""The JSON Schema (2020-12) of the data a form produces: what another system receives.

A form definition describes pages and questions; a receiving system (a specialist procedure,
an XÖV mapping, a data warehouse) needs the shape of the answers instead. ``data_schema`` derives
that from the definition, so both never drift apart: the answers of all steps form one object
(as the engine stores them), a group is a nested object, a repeatable group a list of objects,
and each field type has a fixed mapping to the form in which the engine *stores* its value
(not what people type: "1.234,50 €" is stored as "1234.50").

Logic cannot be expressed simply in JSON Schema, so the schema is deliberately one-sided: it
lists as required only answers that are required whatever else was answered, and leaves
conditional requirements (``required_if``, ``visible_if``) and step rules to the form, saying so
in its description. Data the form accepted always passes; the schema does not promise that data
passing it would be accepted by the form.
"""

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from amtsweg.forms.definition import GROUP
from amtsweg.forms.field_types import files
from amtsweg.forms.text import localized
from amtsweg.forms.validation import MAX_ITEMS

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
#: What every schema says about the answers it cannot describe.
CONDITIONAL_NOTE = (
    "Answers to hidden steps, groups and fields are never stored. `required` lists only "
    "answers the form requires whatever else was answered; answers that are required only "
    "under a condition (required_if, or visible_if on the field, its group or its step) and "
    "the steps' cross-field rules are checked by the form and are not expressed here."
)
GERMAN = "de"

Schema = dict[str, Any]
Field = dict[str, Any]


class ExportError(ValueError):
    """The definition uses something the export cannot describe (e.g. a new field type)."""


def _pattern(regex: str) -> Schema:
    return {"type": "string", "pattern": regex}


def _text(default_length: int) -> Callable[[Field], Schema]:
    def schema(field: Field) -> Schema:
        # Blank answers are not stored, so a stored text has at least one character.
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": field.get("max_length", default_length),
        }

    return schema


def _email(field: Field) -> Schema:
    return {**_text(254)(field), "format": "email"}


def _phone(field: Field) -> Schema:
    return {**_pattern(r"^\+?[0-9 ()/\-]+$"), "maxLength": 40}


def _integer(field: Field) -> Schema:
    schema: Schema = {"type": "integer"}
    if isinstance(field.get("min"), int):
        schema["minimum"] = field["min"]
    if isinstance(field.get("max"), int):
        schema["maximum"] = field["max"]
    return schema


def _decimal_places(field: Field) -> int:
    places = field.get("decimal_places", 2)
    valid = isinstance(places, int) and not isinstance(places, bool) and 0 <= places <= 10
    return places if valid else 2


def _decimal_string(places: int, *, negative: bool) -> Schema:
    sign = "-?" if negative else ""
    decimals = rf"\.[0-9]{{{places}}}" if places else ""
    return _pattern(rf"^{sign}[0-9]+{decimals}$")


def _bounds_note(field: Field, schema: Schema) -> Schema:
    """Decimal strings cannot carry minimum/maximum; name the bounds for people instead."""
    bounds = [f"{name} {field[name]}" for name in ("min", "max") if field.get(name) is not None]
    if bounds:
        schema["description"] = "A decimal number as text; " + ", ".join(bounds) + "."
    return schema


def _is_negative(bound: Any) -> bool:
    try:
        return float(bound) < 0
    except (TypeError, ValueError):
        return False


def _decimal(field: Field) -> Schema:
    places = _decimal_places(field)
    negative = field.get("min") is None or _is_negative(field["min"])
    return _bounds_note(field, _decimal_string(places, negative=negative))


def _currency(field: Field) -> Schema:
    # The currency field refuses negative amounts unless its min allows them.
    low = field.get("min", 0)
    negative = low is None or _is_negative(low)
    return _bounds_note(field, _decimal_string(2, negative=negative))


def _date(field: Field) -> Schema:
    return {**_pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "format": "date"}


def _values(entries: Any, name: str) -> list[str]:
    return [
        entry[name]
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict) and isinstance(entry.get(name), str)
    ]


def _choice(field: Field) -> Schema:
    return {"type": "string", "enum": _values(field.get("options"), "value")}


def _multichoice(field: Field) -> Schema:
    schema: Schema = {
        "type": "array",
        "items": _choice(field),
        "uniqueItems": True,
        # Nothing ticked is stored as no answer, never as an empty list.
        "minItems": max(field.get("min_selected") or 0, 1),
    }
    if isinstance(field.get("max_selected"), int):
        schema["maxItems"] = field["max_selected"]
    return schema


def _address(field: Field) -> Schema:
    line = {"type": "string", "minLength": 1, "maxLength": 100}
    return {
        "type": "object",
        "properties": {
            "street": line,
            "house_number": _pattern(
                r"^[0-9]{1,5}\s?[A-Za-z]?(\s?[-/]\s?[0-9]{1,5}\s?[A-Za-z]?)?$"
            ),
            "addition": line,
            "postcode": _pattern(r"^[0-9]{5}$"),
            "city": line,
        },
        "required": ["street", "house_number", "postcode", "city"],
        "additionalProperties": False,
    }


def _codelist(field: Field) -> Schema:
    codelist = field.get("codelist") or {}
    schema: Schema = {"type": "string", "enum": _values(codelist.get("codes"), "code")}
    reference = {name: codelist[name] for name in ("uri", "version") if codelist.get(name)}
    if reference:
        schema["x-codelist"] = reference
    return schema


def _file(field: Field) -> Schema:
    document = {
        "type": "object",
        "required": sorted(files.VALUE_KEYS),
        "properties": {
            "id": {"type": "string", "description": "The attachment's id in Amtsweg."},
            "name": {"type": "string"},
            "size": {"type": "integer", "minimum": 0, "description": "In bytes."},
            "type": {"enum": files.accepted_types(field), "description": "MIME type."},
            "sha256": _pattern(r"^[0-9a-f]{64}$"),
        },
        "additionalProperties": False,
    }
    return {"type": "array", "items": document, "minItems": 1, "maxItems": files.max_files(field)}


def _computed(field: Field) -> Schema:
    schema: Schema = {"readOnly": True}
    if "unit" in field or "decimal_places" in field:
        schema.update(_decimal_string(_decimal_places(field), negative=True))
    else:
        # Numbers are stored as exact decimal strings; a rule may also give text or yes/no.
        schema["type"] = ["string", "boolean"]
    if field.get("unit"):
        schema["x-unit"] = field["unit"]
    return schema


#: Field type name → the schema of its stored value. A type that holds no data maps to None.
TYPE_SCHEMAS: dict[str, Callable[[Field], Schema] | None] = {
    "text": _text(200),
    "textarea": _text(2000),
    "email": _email,
    "phone": _phone,
    "postcode": lambda field: _pattern(r"^[0-9]{5}$"),
    "number": _integer,
    "decimal": _decimal,
    "currency": _currency,
    "date": _date,
    "time": lambda field: _pattern(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    "yesno": lambda field: {"type": "boolean"},
    "choice": _choice,
    "select": _choice,
    "multichoice": _multichoice,
    "codelist": _codelist,
    "iban": lambda field: _pattern(r"^[A-Z]{2}[0-9]{2}[0-9A-Z]{11,30}$"),
    "tax_id": lambda field: _pattern(r"^[1-9][0-9]{10}$"),
    "ags": lambda field: _pattern(r"^(0[1-9]|1[0-6])[0-9]{6}$"),
    "address": _address,
    "file": _file,
    "computed": _computed,
    "notice": None,
}


def data_schema(
    definition: dict[str, Any],
    *,
    solution_uuid: UUID | str | None = None,
    version: int | None = None,
    title: str | None = None,
) -> Schema:
    """The JSON Schema of the answers ``definition`` produces.

    With ``solution_uuid`` and ``version`` the schema gets a stable ``$id``, so a receiver can
    tell which published version of which solution a data set belongs to. Raises
    ``ExportError`` for a field type this module has no mapping for.
    """
    schema: Schema = {"$schema": JSON_SCHEMA}
    if solution_uuid is not None and version is not None:
        schema["$id"] = f"urn:amtsweg:solution:{UUID(str(solution_uuid))}:version:{version}:data"
    if title:
        schema["title"] = title
    schema["description"] = CONDITIONAL_NOTE
    properties: dict[str, Schema] = {}
    required: list[str] = []
    for step in definition["steps"]:
        step_is_conditional = "visible_if" in step
        for item in step.get("fields", []):
            item_schema, item_required = _item(item, item["key"], step_is_conditional)
            if item_schema is None:
                continue
            item_schema["x-step"] = step["key"]
            if item["key"] in properties:
                # Two steps may ask for the same answer (e.g. alternative steps); either
                # shape is accepted, and it is required only if every one requires it.
                earlier = properties[item["key"]]
                branches = earlier["anyOf"] if set(earlier) == {"anyOf"} else [earlier]
                properties[item["key"]] = {"anyOf": [*branches, item_schema]}
                if item["key"] in required and not item_required:
                    required.remove(item["key"])
                continue
            properties[item["key"]] = item_schema
            if item_required:
                required.append(item["key"])
    schema.update(_object(properties, required))
    if definition.get("fim"):
        schema["x-fim"] = definition["fim"]
    return schema


def _object(properties: dict[str, Schema], required: list[str]) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    # The form refuses answers that belong to no item, so a receiver may too.
    schema["additionalProperties"] = False
    return schema


def _item(item: dict[str, Any], path: str, conditional: bool) -> tuple[Schema | None, bool]:
    """The schema of one item's stored answer, and whether it is required unconditionally."""
    conditional = conditional or "visible_if" in item
    if item.get("type") == GROUP:
        return _group(item, path, conditional)
    type_name = item.get("type")
    if type_name not in TYPE_SCHEMAS:
        raise ExportError(
            f"Field {path!r} has the type {type_name!r}, which the data schema export does not "
            f"know; add it to amtsweg.forms.export.TYPE_SCHEMAS."
        )
    mapping = TYPE_SCHEMAS[type_name]
    if mapping is None:
        return None, False
    schema = _described(item, mapping(item))
    required = bool(item.get("required")) and not conditional and type_name != "computed"
    return schema, required


def _group(item: dict[str, Any], path: str, conditional: bool) -> tuple[Schema, bool]:
    properties: dict[str, Schema] = {}
    required: list[str] = []
    for child in item.get("fields", []):
        child_schema, child_required = _item(child, f"{path}.{child['key']}", False)
        if child_schema is None:
            continue
        properties[child["key"]] = child_schema
        # Inside the group, only the child's own condition counts; the group's is handled
        # by whether the group itself is required.
        if child_required:
            required.append(child["key"])
    entry = _object(properties, required)
    if not item.get("repeatable"):
        return _described(item, entry), bool(required) and not conditional
    minimum = item.get("min_items", 0)
    maximum = min(item.get("max_items") or MAX_ITEMS, MAX_ITEMS)
    schema: Schema = {"type": "array", "items": entry, "maxItems": maximum}
    if minimum:
        schema["minItems"] = minimum
    return _described(item, schema), minimum > 0 and not conditional


def _described(item: dict[str, Any], schema: Schema) -> Schema:
    """Title and description from the German texts, and the FIM provenance."""
    described: Schema = {}
    label = localized(item.get("label"), GERMAN)
    if label:
        described["title"] = label
    texts = [_one_line(localized(item.get("help"), GERMAN)), schema.pop("description", "")]
    if any(texts):
        described["description"] = " ".join(text for text in texts if text)
    described.update(schema)
    if item.get("fim"):
        described["x-fim"] = item["fim"]
    return described


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
