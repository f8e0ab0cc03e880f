"""The definition format's own JSON Schema (src/amtsweg/forms/schema/form-definition.schema.json)
accepts every demo form and every FIM import, and refuses broken definitions: strict about the
keys the engine knows, open to "x-" extension keys."""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import amtsweg.forms
from amtsweg.demo.catalogue import SOLUTIONS
from amtsweg.forms import logic, services
from amtsweg.forms.export import data_schema
from amtsweg.forms.fim import FimImportError, import_schema
from amtsweg.forms.registry import registry
from amtsweg.forms.scenarios import run_scenarios
from tests.test_fim_import import DATA

SCHEMA_PATH = Path(amtsweg.forms.__file__).parent / "schema" / "form-definition.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
#: Types the format reserves before the engine registers them.
RESERVED_TYPES = {"file"}


def errors(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error.json_path, error.message) for error in VALIDATOR.iter_errors(definition)]


def one_field(**item: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "steps": [{"key": "step", "title": "Schritt", "fields": [item]}],
    }


def test_the_schema_is_a_valid_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_field_types_are_the_registrys():
    types = set(SCHEMA["$defs"]["field"]["properties"]["type"]["enum"])
    assert set(registry.names()) <= types
    assert types - set(registry.names()) <= RESERVED_TYPES


def test_the_logic_operators_are_the_evaluators():
    rule_object = SCHEMA["$defs"]["logic"]["anyOf"][2]
    assert set(rule_object["propertyNames"]["enum"]) == set(logic.OPERATORS)


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_every_demo_definition_is_valid(spec):
    assert errors(spec.definition) == []
    assert spec.definition["scenarios"], "the demo forms carry their scenarios"


def _imports() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(DATA.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(DATA).as_posix()
        try:
            import_schema(path, name)
        except FimImportError:
            continue
        found.append((name, path))
    return found


IMPORTS = _imports()


def test_there_are_imports_to_check():
    assert len(IMPORTS) >= 10


@pytest.mark.parametrize(("name", "path"), IMPORTS, ids=[name for name, _path in IMPORTS])
def test_every_fim_import_is_valid(name: str, path: Path):
    assert errors(import_schema(path, name).definition) == []
    # Read from bytes there are no code lists beside the schema: text fields keep references.
    assert errors(import_schema(path.read_bytes(), name).definition) == []


def test_a_valid_small_definition_passes_and_the_engine_agrees():
    definition = one_field(key="name", type="text", label={"de": "Name", "en": "Name"})
    assert errors(definition) == []
    services.check_definition(definition)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"key": "name", "type": "text", "label": "Name", "lable": "Name"}, "'lable'"),
        ({"key": "name", "type": "yesno", "label": "Name", "max_length": 5}, "'max_length'"),
        ({"key": "name", "type": "date", "label": "Name", "options": []}, "'options'"),
        ({"key": "name", "type": "textfield", "label": "Name"}, "'textfield' is not one of"),
        ({"key": "name", "type": "text"}, "'label' is a required property"),
        ({"key": "Name", "type": "text", "label": "Name"}, "does not match"),
        ({"key": "a.b", "type": "text", "label": "Name"}, "does not match"),
        ({"key": "pick", "type": "choice", "label": "Pick"}, "'options' is a required"),
        ({"key": "sum", "type": "computed", "label": "Sum"}, "'value' is a required"),
        (
            {"key": "name", "type": "text", "label": "N", "visible_if": {"regex": ["a", "b"]}},
            "is not valid under any of the given schemas",
        ),
        ({"key": "name", "type": "text", "label": {"en": "Name"}}, "is not valid under any"),
        (
            {"key": "code", "type": "codelist", "label": "C", "codelist": {"uri": "urn:x"}},
            "'codes' is a required property",
        ),
        (
            {"key": "g", "type": "group", "label": "G", "fields": [], "repeatable": True},
            "should be non-empty",
        ),
        (
            {"key": "g", "type": "group", "label": "G", "fields": [{"key": "a", "type": "x"}]},
            "'x' is not one of",
        ),
    ],
)
def test_a_broken_field_is_refused(item: dict[str, Any], message: str):
    found = errors(one_field(**item))
    assert found, item
    assert any(message in text for _path, text in found), found


def test_unknown_keys_of_steps_groups_and_the_form_are_refused():
    definition = copy.deepcopy(SOLUTIONS[0].definition)
    definition["title"] = "Hundesteuer"
    definition["steps"][0]["description"] = "…"
    definition["steps"][1]["fields"][0]["min_entries"] = 1
    definition["scenarios"][0]["expect"]["shown"] = ["dogs"]
    found = {path for path, _message in errors(definition)}
    assert found == {"$", "$.steps[0]", "$.steps[1].fields[0]", "$.scenarios[0].expect"}


def test_extension_keys_are_allowed_everywhere():
    definition = copy.deepcopy(SOLUTIONS[0].definition)
    definition["x-designer"] = {"last_editor": "Steueramt"}
    definition["steps"][0]["x-layout"] = "two-columns"
    definition["steps"][0]["fields"][0]["x-hint"] = "Vorname wie im Ausweis"
    definition["steps"][1]["fields"][0]["x-collapsed"] = True
    definition["scenarios"][0]["x-ticket"] = "AW-123"
    assert errors(definition) == []


def test_a_scenario_needs_answers_and_known_expectations():
    definition = one_field(key="name", type="text", label="Name")
    definition["scenarios"] = [{"name": "leer", "answers": {}, "expect": {"valid": False}}]
    assert errors(definition) == []
    definition["scenarios"] = [{"name": "leer", "expect": {"valid": "no"}}]
    messages = [message for _path, message in errors(definition)]
    assert "'answers' is a required property" in messages
    assert "'no' is not of type 'boolean'" in messages


def test_the_example_in_the_docs_is_valid_and_its_scenario_passes():
    docs = (Path(__file__).parents[1] / "docs" / "forms.md").read_text(encoding="utf-8")
    definition, answers = (
        json.loads(block) for block in re.findall(r"```json\n(.*?)```", docs, re.S)[:2]
    )
    assert errors(definition) == []
    services.check_definition(definition)
    assert [result.failures for result in run_scenarios(definition)] == [[]]
    assert list(Draft202012Validator(data_schema(definition)).iter_errors(answers)) == []
