"""Every file in tests/data/fim either imports into a valid definition or is refused clearly.

The expectations follow shared/data/fim/README.md: the real schemas and the library's valid
examples import; its deliberately broken files are refused with a message naming the file, the
line, the element and the problem. Nothing may end in an uncaught exception.
"""

from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.utils import translation

from amtsweg.forms import services
from amtsweg.forms.fim import FimImportError, import_schema
from amtsweg.forms.fim.parse import parse_xml
from amtsweg.forms.registry import registry
from tests.test_fim_import import DATA, assert_valid_structure

FILES = sorted(path for path in DATA.rglob("*") if path.is_file())
TESTS = "xdatenfelder-xml-tests"
CODE_LIST = "This is a genericode code list, not a schema"
UNKNOWN_NAMESPACE = "The namespace urn:xoev-de:fim:standard:xdatenfelder_unknown is no"
#: File → (schema id, number of steps) for files that import.
IMPORTS = {
    "v2/BlaueKarte.xml": ("S00000121", 12),
    "v2/S05000058V1.0_xdf2.xml": ("S05000058", 5),
    "v3/S00000000362/schema.xdf.xml": ("S00000000362", 2),
    "v3/S00000000364/schema.xdf.xml": ("S00000000364", 4),
    "v3/S00000000371/schema.xdf.xml": ("S00000000371", 3),
    "v3/S00000000373/schema.xdf.xml": ("S00000000373", 2),
    "v3/S02000000112/schema.xdf.xml": ("S02000000112", 7),
    "v3/S07000000201/schema.xdf.xml": ("S07000000201", 2),
    f"{TESTS}/v2/data-field-rule.xml": ("T1234", 1),
    f"{TESTS}/v2/data-group-rule.xml": ("T1234", 1),
    f"{TESTS}/v2/label.xml": ("T1234", 1),
    f"{TESTS}/v2/minimal.xml": ("T1234", 1),
    f"{TESTS}/v2/rule.xml": ("T1234", 1),
    f"{TESTS}/v2/select.xml": ("T1234", 1),
    f"{TESTS}/v2/simple.xml": ("T1234", 1),
    f"{TESTS}/v3/input.xml": ("G60000000088", 1),
    f"{TESTS}/v3/simple.xml": ("G60000000088", 1),
}
#: File → what the refusal must say (besides the file name).
REFUSALS = {
    "SOURCES.md": "This is neither an XML file nor a ZIP archive.",
    f"{TESTS}/v2/duplicate-optional-value.xml": (
        "line 15: Stammdatenschema T1234: The element <beschreibung> is given more than once "
        "in <stammdatenschema>"
    ),
    f"{TESTS}/v2/duplicate-required-value.xml": (
        "line 13: Stammdatenschema T1234: The element <name> is given more than once in "
        "<stammdatenschema>"
    ),
    f"{TESTS}/v2/unknown-namespace.xml": UNKNOWN_NAMESPACE,
    f"{TESTS}/v3/duplicate-id-node.xml": (
        "line 11: Datenfeldgruppe G123: The element <id> is given more than once in "
        "<identifikation>"
    ),
    f"{TESTS}/v3/empty-id-node.xml": (
        "line 10: Datenfeldgruppe: The <id> in <identifikation> is empty."
    ),
    f"{TESTS}/v3/invalid-freigabestatus.xml": (
        "line 17: Datenfeldgruppe G123: The freigabestatus code “10” is not in its code list"
    ),
    f"{TESTS}/v3/missing-id-node.xml": (
        "line 9: Datenfeldgruppe: The required element <id> is missing in <identifikation>."
    ),
    f"{TESTS}/v3/unexpected-node.xml": (
        "line 11: Datenfeldgruppe G123: Unexpected element <xdf:unknown> in <identifikation>"
    ),
    f"{TESTS}/v3/unknown-namespace.xml": UNKNOWN_NAMESPACE,
    **{
        f"v2/codelisten/{name}_genericode.xml": CODE_LIST
        for name in ("C05000073", "C05000103", "C05000108", "C05000112", "C05000125", "C60000016")
    },
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def relative(path: Path) -> str:
    return path.relative_to(DATA).as_posix()


def test_every_expectation_names_a_file_that_is_there():
    found = {relative(path) for path in FILES}
    assert set(IMPORTS) | set(REFUSALS) == found
    assert not set(IMPORTS) & set(REFUSALS)


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_file_imports_or_is_refused_clearly(path: Path):
    name = relative(path)
    try:
        result = import_schema(path, name)
    except FimImportError as error:
        assert name in REFUSALS, f"{name} should import, but: {error}"
        message = str(error)
        assert message.startswith(name), message
        assert REFUSALS[name] in message
        return
    assert name in IMPORTS, f"{name} should be refused"
    assert_valid_structure(result.definition)
    schema_id, step_count = IMPORTS[name]
    assert result.provenance.schema_id == schema_id
    assert len(result.definition["steps"]) == step_count
    assert result.provenance.xdf_version == ("2.0" if "/v2/" in f"/{name}" else "3.0.0")
    for note in result.report:
        assert note.fim_id or note.element, note


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_file_given_as_bytes_gives_the_same_outcome(path: Path):
    """Read from bytes there are no code lists beside the schema; all else is the same."""
    name = relative(path)
    try:
        result = import_schema(path.read_bytes(), name)
    except FimImportError:
        assert name in REFUSALS
        return
    assert name in IMPORTS
    assert_valid_structure(result.definition)


def _types(items: list[dict[str, Any]]) -> set[str]:
    found = set()
    for item in items:
        found.add(item["type"])
        if item["type"] == "group":
            found |= _types(item["fields"])
    return found


def _engine_has_groups() -> bool:
    probe = {
        "schema_version": 1,
        "steps": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {
                        "key": "g",
                        "type": "group",
                        "label": "G",
                        "fields": [{"key": "t", "type": "text", "label": "T"}],
                        "repeatable": True,
                        "min_items": 0,
                        "max_items": None,
                    }
                ],
            }
        ],
    }
    try:
        services.check_definition(probe)
    except services.DefinitionError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_the_forms_engine_accepts_the_definition(name: str):
    """Once the engine knows every type the import uses, its own check must pass too."""
    definition = import_schema(DATA / name, name).definition
    used = set()
    for step in definition["steps"]:
        used |= _types(step["fields"])
    missing = sorted(type_name for type_name in used - {"group"} if type_name not in registry) + (
        ["group"] if "group" in used and not _engine_has_groups() else []
    )
    if missing:
        pytest.skip(f"the forms engine has no field type {', '.join(missing)} yet")
    services.check_definition(definition)


def _mutants(path: Path, positions: int) -> list[tuple[str, bytes]]:
    """The file with one element removed, given twice, or emptied, at spread positions."""
    count = sum(1 for _ in parse_xml(path.read_bytes(), path.name).iter())
    mutants = []
    for index in range(1, count, max(1, count // positions)):
        for operation in ("remove", "repeat", "empty"):
            root = parse_xml(path.read_bytes(), path.name)
            elements = list(root.iter())
            parents = {child: parent for parent in elements for child in parent}
            element = elements[index]
            parent = parents[element]
            if operation == "remove":
                parent.remove(element)
            elif operation == "repeat":
                parent.insert(list(parent).index(element), element)
            else:
                element[:] = []
                element.text = ""
            mutants.append((f"{operation} #{index} <{element.tag}>", ET.tostring(root)))
    return mutants


@pytest.mark.parametrize(
    "name",
    ["v2/S05000058V1.0_xdf2.xml", "v3/S00000000373/schema.xdf.xml", f"{TESTS}/v3/input.xml"],
)
def test_damaged_schemas_import_or_are_refused_never_crash(name: str):
    imported = refused = 0
    for what, data in _mutants(DATA / name, positions=40):
        try:
            result = import_schema(data, name)
        except FimImportError as error:
            assert str(error).startswith(name), what
            refused += 1
            continue
        assert_valid_structure(result.definition)
        imported += 1
    assert imported and refused
