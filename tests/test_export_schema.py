"""The JSON Schema of a form's data (amtsweg.forms.export): what the engine stores passes it,
wrong values fail at the right path, and only unconditional answers are required."""

import copy
import datetime
import json
import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from amtsweg.demo.catalogue import DEMO_APPLICANTS, SOLUTIONS
from amtsweg.forms.export import TYPE_SCHEMAS, ExportError, data_schema
from amtsweg.forms.fim import import_schema
from amtsweg.forms.registry import registry
from amtsweg.forms.services import check_definition, validate_step, visible_steps
from tests.factories import SolutionVersionFactory
from tests.form_filling import valid_step_post
from tests.test_definition_format_schema import IMPORTS

TODAY = datetime.date.today()
SOLUTION = "8b0f4c1e-5a0e-4a51-9c43-0c6b2f0b6a11"


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def failures(schema: dict[str, Any], data: dict[str, Any]) -> list[tuple[list, str]]:
    return [(list(e.absolute_path), e.message) for e in validator(schema).iter_errors(data)]


def sample(spec) -> dict[str, Any]:
    return spec.sample_answers(DEMO_APPLICANTS[0], "64283", "Darmstadt", TODAY)


def filled_by_the_engine(definition: dict[str, Any], yes_or_no: str) -> dict[str, Any]:
    """Answers as the online assistant stores them when every field is answered correctly and
    every yes/no question with ``yes_or_no`` (so both branches of conditions are covered)."""
    data: dict[str, Any] = {}
    for step in definition["steps"]:
        if step not in visible_steps(definition, data):
            continue
        post = {
            name: [yes_or_no] if sent in (["yes"], ["no"]) else sent
            for name, sent in valid_step_post(step).items()
        }
        result = validate_step(step, post, data)
        # A step rule may refuse the combination ("confirm with yes"); every single answer
        # must still have been stored.
        assert all(bound.key in result.values for bound in result.errors), result.errors
        data.update(result.values)
    return data


def test_every_field_type_has_a_mapping():
    assert set(registry.names()) <= set(TYPE_SCHEMAS)


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_the_sample_answers_of_every_demo_form_pass(spec):
    assert failures(data_schema(spec.definition), sample(spec)) == []


@pytest.mark.parametrize("yes_or_no", ["yes", "no"])
@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_answers_stored_by_the_engine_pass(spec, yes_or_no: str):
    data = filled_by_the_engine(spec.definition, yes_or_no)
    assert failures(data_schema(spec.definition), data) == []


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_a_four_digit_postcode_fails_at_the_postcode(spec):
    data = {**sample(spec), "postcode": "6428"}
    assert [path for path, _message in failures(data_schema(spec.definition), data)] == [
        ["postcode"]
    ]


@pytest.mark.parametrize(
    ("slug", "change", "path"),
    [
        ("hundesteuer", {"exemption_requested": "ja"}, ["exemption_requested"]),
        ("bewohnerparkausweis", {"registered_keeper": "ja"}, ["registered_keeper"]),
        ("sondernutzung", {"notes_read": "ja"}, ["notes_read"]),
        ("sondernutzung", {"area_sqm": 0}, ["area_sqm"]),
        ("sondernutzung", {"start_date": "01.06.2099"}, ["start_date"]),
        ("bewohnerparkausweis", {"duration": "24"}, ["duration"]),
        ("bewohnerparkausweis", {"colour": "rot"}, []),
    ],
)
def test_a_wrong_value_fails_at_its_path(slug: str, change: dict[str, Any], path: list):
    spec = next(spec for spec in SOLUTIONS if spec.slug == slug)
    found = failures(data_schema(spec.definition), {**sample(spec), **change})
    assert found
    assert {tuple(where) for where, _message in found} == {tuple(path)}, found


def test_a_wrong_value_inside_a_repeatable_group_fails_at_the_entry():
    spec = next(spec for spec in SOLUTIONS if spec.slug == "hundesteuer")
    data = copy.deepcopy(sample(spec))
    data["dogs"].append({**data["dogs"][0], "listed": "ja"})
    assert [path for path, _message in failures(data_schema(spec.definition), data)] == [
        ["dogs", 1, "listed"]
    ]
    data["dogs"] = []
    assert [path for path, _message in failures(data_schema(spec.definition), data)] == [["dogs"]]


def test_only_unconditional_answers_are_required():
    hundesteuer = data_schema(next(s for s in SOLUTIONS if s.slug == "hundesteuer").definition)
    required = hundesteuer["required"]
    assert {"given_name", "email", "dogs", "exemption_requested"} <= set(required)
    assert "phone" not in required  # optional
    assert "exemption_reason" not in required  # required_if
    assert "permit_number" not in required  # on a conditional step
    assert "annual_tax" not in required  # computed
    assert hundesteuer["properties"]["dogs"]["items"]["required"] == [
        "name",
        "breed",
        "kept_since",
        "listed",
    ]
    assert "required_if" in hundesteuer["description"]


def test_types_titles_and_provenance():
    spec = next(spec for spec in SOLUTIONS if spec.slug == "hundesteuer")
    schema = data_schema(spec.definition, solution_uuid=SOLUTION, version=3, title="Hund")
    assert schema["$id"] == f"urn:amtsweg:solution:{SOLUTION}:version:3:data"
    assert schema["title"] == "Hund"
    properties = schema["properties"]
    assert properties["postcode"] == {
        "title": "Postleitzahl",
        "type": "string",
        "pattern": "^[0-9]{5}$",
        "x-step": "halter",
    }
    dogs = properties["dogs"]
    assert (dogs["type"], dogs["minItems"], dogs["maxItems"]) == ("array", 1, 5)
    assert dogs["title"] == "Hunde"
    assert properties["annual_tax"]["readOnly"] is True
    assert properties["annual_tax"]["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"
    assert "exemption_proof" not in properties  # a notice holds no data
    assert "$id" not in data_schema(spec.definition)


UPLOAD = {
    "id": "6f1c1d4e-8a55-4f57-a0f8-1d7b4c3c2a10",
    "name": "nachweis.pdf",
    "size": 12345,
    "type": "application/pdf",
    "sha256": "ab" * 32,
}
#: One field of every type, with what a person types and what the engine stores.
EVERY_TYPE: list[tuple[dict[str, Any], list[str]]] = [
    ({"type": "text", "max_length": 20}, ["Hallo"]),
    ({"type": "textarea"}, ["Zeile 1\nZeile 2"]),
    ({"type": "email"}, ["a@example.de"]),
    ({"type": "phone"}, ["+49 (0)6151 12345"]),
    ({"type": "postcode"}, ["64283"]),
    ({"type": "number", "min": 1, "max": 9}, ["3"]),
    ({"type": "decimal", "decimal_places": 1, "min": "-5"}, ["-2,5"]),
    ({"type": "currency"}, ["1.234,5 €"]),
    ({"type": "date"}, ["24.12.2025"]),
    ({"type": "time"}, ["9.30 Uhr"]),
    ({"type": "yesno"}, ["no"]),
    ({"type": "choice", "options": [{"value": "a", "label": "A"}]}, ["a"]),
    ({"type": "select", "options": [{"value": "b", "label": "B"}]}, ["b"]),
    (
        {
            "type": "multichoice",
            "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
            "max_selected": 2,
        },
        ["b", "a"],
    ),
    (
        {
            "type": "codelist",
            "codelist": {"uri": "urn:x", "version": "1", "codes": [{"code": "1", "label": "L"}]},
        },
        ["1"],
    ),
    ({"type": "iban"}, ["de02 1203 0000 0000 2020 51"]),
    ({"type": "tax_id"}, ["12 345 678 995"]),
    ({"type": "ags"}, ["06411000"]),
    ({"type": "notice"}, []),
    ({"type": "address"}, ["Luisenplatz", "5 a", "", "64283", "Darmstadt"]),
    ({"type": "file", "max_files": 2, "accept": ["application/pdf"]}, [json.dumps(UPLOAD)]),
    ({"type": "computed", "value": {"+": [{"var": "number"}, 1]}}, []),
]


def every_type_post() -> dict[str, list[str]]:
    """What a browser sends for ``every_type_definition``; the address has one box per part."""
    post = {spec["type"]: typed for spec, typed in EVERY_TYPE if typed}
    parts = dict(zip(registry["address"].parts, post.pop("address"), strict=True))
    post.update({f"address.{part}": [value] for part, value in parts.items()})
    return post


def every_type_definition() -> dict[str, Any]:
    fields = [
        {"key": spec["type"], "label": spec["type"], "required": True, **spec}
        for spec, _typed in EVERY_TYPE
    ]
    return {"schema_version": 1, "steps": [{"key": "s", "title": "S", "fields": fields}]}


def test_values_of_every_type_as_the_engine_stores_them_pass():
    definition = every_type_definition()
    check_definition(definition)
    raw = every_type_post()
    result = validate_step(definition["steps"][0], raw)
    assert result.is_valid, [(bound.name, bound.error) for bound in result.errors]
    assert result.values["computed"] == "4.00"
    schema = data_schema(definition)
    assert failures(schema, result.values) == []
    registered = {name for name in registry.names() if registry[name].holds_data}
    assert set(schema["required"]) == registered - {"computed"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("text", "x" * 21),
        ("text", ""),
        ("email", "no-address"),
        ("number", 10),
        ("number", "3"),
        ("decimal", "2.50"),
        ("currency", "-1.00"),
        ("currency", 1234.5),
        ("date", "2025-02-30"),
        ("time", "24:00"),
        ("multichoice", ["a", "a"]),
        ("multichoice", []),
        ("codelist", "2"),
        ("iban", "DE02 1203 0000 0000 2020 51"),
        ("tax_id", "02345678995"),
        ("ags", "17411000"),
        ("notice", "text"),
        ("file", [{**UPLOAD, "type": "image/png"}]),
        ("address", {"street": "Luisenplatz", "house_number": "5", "postcode": "6428"}),
        ("address", {"street": "Luisenplatz", "house_number": "fünf", "city": "D"}),
        ("file", [UPLOAD, UPLOAD, UPLOAD]),
        ("file", [{**UPLOAD, "path": "uploads/x.pdf"}]),
    ],
)
def test_values_the_engine_never_stores_fail(key: str, value: Any):
    definition = every_type_definition()
    raw = every_type_post()
    stored = validate_step(definition["steps"][0], raw).values
    found = failures(data_schema(definition), {**stored, key: value})
    assert found, (key, value)
    assert all(path[:1] in ([key], []) for path, _message in found), found


def test_a_group_nests_and_a_conditional_one_is_not_required():
    definition = {
        "schema_version": 1,
        "steps": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {"key": "other", "type": "yesno", "label": "Andere?"},
                    {
                        "key": "address",
                        "type": "group",
                        "label": "Anschrift",
                        "fields": [
                            {"key": "city", "type": "text", "label": "Ort", "required": True}
                        ],
                    },
                    {
                        "key": "other_address",
                        "type": "group",
                        "label": "Andere Anschrift",
                        "visible_if": {"var": "other"},
                        "fields": [
                            {"key": "city", "type": "text", "label": "Ort", "required": True}
                        ],
                    },
                ],
            }
        ],
    }
    schema = data_schema(definition)
    assert schema["required"] == ["address"]
    assert schema["properties"]["address"]["required"] == ["city"]
    assert schema["properties"]["other_address"]["required"] == ["city"]
    assert failures(schema, {"address": {"city": "Darmstadt"}}) == []
    assert [path for path, _m in failures(schema, {"address": {}})] == [["address"]]


def test_an_unknown_type_is_a_clear_error():
    definition = every_type_definition()
    definition["steps"][0]["fields"].append({"key": "sig", "type": "signature", "label": "S"})
    with pytest.raises(ExportError, match=r"'sig' has the type 'signature'.*TYPE_SCHEMAS"):
        data_schema(definition)


@pytest.mark.parametrize(("name", "path"), IMPORTS, ids=[name for name, _path in IMPORTS])
def test_fim_imports_export_with_their_provenance(name, path):
    definition = import_schema(path, name).definition
    schema = data_schema(definition)
    Draft202012Validator.check_schema(schema)
    assert schema["x-fim"] == definition["fim"]
    for step in definition["steps"]:
        for item in step["fields"]:
            if item["type"] != "notice":
                # Imports may ask for one key on two steps (e.g. "telefon"): either shape.
                found = schema["properties"][item["key"]]
                assert item["fim"] in [one["x-fim"] for one in found.get("anyOf", [found])]


def test_the_command_prints_the_schema(db):
    spec = SOLUTIONS[0]
    version = SolutionVersionFactory(form_definition=spec.definition, number=2)
    out = StringIO()
    call_command("export_form_schema", str(version.solution.uuid), "2", stdout=out)
    printed = json.loads(out.getvalue())
    expected = data_schema(
        spec.definition,
        solution_uuid=version.solution.uuid,
        version=2,
        title=version.solution.name,
    )
    assert printed == expected
    assert printed["$id"] == f"urn:amtsweg:solution:{version.solution.uuid}:version:2:data"


def test_the_command_refuses_unknown_solutions_and_versions(db):
    version = SolutionVersionFactory(number=1)
    with pytest.raises(CommandError, match="is not a UUID"):
        call_command("export_form_schema", "hundesteuer", "1")
    with pytest.raises(CommandError, match="has no version 7"):
        call_command("export_form_schema", str(version.solution.uuid), "7")
    with pytest.raises(CommandError, match="has no version 1"):
        call_command("export_form_schema", str(uuid.uuid4()), "1")
