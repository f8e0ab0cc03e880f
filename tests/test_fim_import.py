"""FIM XDatenfelder import: how schema elements become steps, groups and fields.

Small schemas are built here for single mapping rules; the real FIM schemas in tests/data/fim
(see SOURCES.md there) show the mapping at full size. ``assert_valid_structure`` checks what the
importer emits, independent of which field types the engine knows yet.
"""

import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.utils import translation

from amtsweg.forms.fim import FimImportError, ImportResult, import_schema

DATA = Path(__file__).parent / "data" / "fim"
V2 = "urn:xoev-de:fim:standard:xdatenfelder_2"
V3 = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
#: The types the importer may emit (the brief's list plus the engine's built-in choice, email
#: and postcode).
KNOWN_TYPES = {
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
}
KEY = re.compile(r"[a-z][a-z0-9_]*")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# -- the structure check used by every import test ------------------------------------------


def assert_valid_structure(definition: dict[str, Any]) -> None:
    """What the importer promises: a schema_version 1 definition with unique, slug-like keys
    per level, labels, FIM ids everywhere and only the types it knows."""
    assert definition["schema_version"] == 1
    steps = definition["steps"]
    assert steps, "a form needs a step"
    keys = [step["key"] for step in steps]
    assert len(keys) == len(set(keys)), keys
    for step in steps:
        assert KEY.fullmatch(step["key"]), step["key"]
        assert step["title"], step["key"]
        assert step["fim"]["id"]
        _assert_notes(step)
        _assert_items(step["fields"], step["key"])


def _assert_items(items: list[dict[str, Any]], where: str) -> None:
    keys = [item["key"] for item in items]
    assert len(keys) == len(set(keys)), f"{where}: keys used twice: {keys}"
    for item in items:
        path = f"{where}.{item['key']}"
        assert KEY.fullmatch(item["key"]), path
        assert item["type"] in KNOWN_TYPES, path
        assert item["fim"]["id"], path
        assert set(item["fim"]) == {"id", "version"}, path
        _assert_notes(item)
        if item["type"] != "notice":
            assert isinstance(item["label"], str) and item["label"].strip(), path
            assert isinstance(item["required"], bool), path
        if item["type"] == "group":
            low, high = item["min_items"], item["max_items"]
            assert isinstance(low, int) and low >= 0, path
            assert high is None or (isinstance(high, int) and high >= max(low, 1)), path
            assert item["repeatable"] is (high is None or high > 1), path
            assert item["required"] is (low >= 1), path
            assert item["fields"], f"{path}: a group needs fields"
            _assert_items(item["fields"], path)
        if item["type"] == "codelist":
            codelist = item["codelist"]
            assert isinstance(codelist["uri"], str) and isinstance(codelist["version"], str)
            codes = [code["code"] for code in codelist["codes"]]
            assert codes and len(codes) == len(set(codes)), path
            assert all(code["label"] for code in codelist["codes"]), path
        if item["type"] == "choice":
            values = [option["value"] for option in item["options"]]
            assert values and len(values) == len(set(values)), path
        if "codelist" in item and item["type"] == "text":
            assert set(item["codelist"]) == {"uri", "version"}, path
        if "max_length" in item:
            assert isinstance(item["max_length"], int) and item["max_length"] > 0, path


def _assert_notes(item: dict[str, Any]) -> None:
    notes = item.get("notes", [])
    assert isinstance(notes, list) and all(isinstance(n, str) and n for n in notes)


def imported(data: bytes, name: str = "schema.xml") -> ImportResult:
    result = import_schema(data, name)
    assert_valid_structure(result.definition)
    return result


def all_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found.append(item)
        if item["type"] == "group":
            found.extend(all_items(item["fields"]))
    return found


def by_fim_id(result: ImportResult, fim_id: str) -> dict[str, Any]:
    for step in result.definition["steps"]:
        for item in all_items(step["fields"]):
            if item["fim"]["id"] == fim_id and item["type"] != "group":
                return item
    raise AssertionError(f"{fim_id} not in the definition")


def notes_about(result: ImportResult, fim_id: str) -> list[str]:
    return [note.message for note in result.report if note.fim_id == fim_id]


# -- small schemas, built -------------------------------------------------------------------


def v2_field(
    fim_id: str,
    name: str,
    *,
    datentyp: str = "text",
    feldart: str = "input",
    praezisierung: str = "",
    inhalt: str = "",
    hilfe: str = "",
    extra: str = "",
) -> str:
    return (
        f"<xdf:datenfeld><xdf:identifikation><xdf:id>{fim_id}</xdf:id>"
        f"<xdf:version>1.0</xdf:version></xdf:identifikation>"
        f"<xdf:name>{escape(name)}</xdf:name><xdf:bezeichnungEingabe>{escape(name)}"
        "</xdf:bezeichnungEingabe><xdf:beschreibung/><xdf:definition/><xdf:bezug/>"
        "<xdf:status><code>aktiv</code></xdf:status>"
        "<xdf:schemaelementart><code>RNG</code></xdf:schemaelementart>"
        f"<xdf:hilfetextEingabe>{escape(hilfe)}</xdf:hilfetextEingabe><xdf:hilfetextAusgabe/>"
        f"<xdf:feldart><code>{feldart}</code></xdf:feldart>"
        f"<xdf:datentyp><code>{datentyp}</code></xdf:datentyp>"
        f"<xdf:praezisierung>{escape(praezisierung)}</xdf:praezisierung>"
        f"<xdf:inhalt>{escape(inhalt)}</xdf:inhalt>{extra}</xdf:datenfeld>"
    )


def v2_rule(fim_id: str, name: str, text: str) -> str:
    return (
        f"<xdf:regel><xdf:identifikation><xdf:id>{fim_id}</xdf:id></xdf:identifikation>"
        f"<xdf:name>{escape(name)}</xdf:name><xdf:bezeichnungEingabe/><xdf:beschreibung/>"
        f"<xdf:definition>{escape(text)}</xdf:definition><xdf:bezug/>"
        "<xdf:status><code>aktiv</code></xdf:status>"
        "<xdf:script>function script() {}</xdf:script></xdf:regel>"
    )


def struktur(anzahl: str, element: str) -> str:
    return (
        f"<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:bezug/>"
        f"<xdf:enthaelt>{element}</xdf:enthaelt></xdf:struktur>"
    )


def v2_group(fim_id: str, name: str, *children: tuple[str, str], rules: str = "") -> str:
    return (
        f"<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>{fim_id}</xdf:id>"
        f"<xdf:version>1.1</xdf:version></xdf:identifikation>"
        f"<xdf:name>{escape(name)}</xdf:name><xdf:bezeichnungEingabe>{escape(name)}"
        "</xdf:bezeichnungEingabe><xdf:beschreibung/><xdf:definition/><xdf:bezug/>"
        "<xdf:status><code>aktiv</code></xdf:status>"
        "<xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>"
        "<xdf:hilfetextEingabe/><xdf:hilfetextAusgabe/>"
        f"{rules}{''.join(struktur(anzahl, xml) for anzahl, xml in children)}"
        "</xdf:datenfeldgruppe>"
    )


def v2_schema(*children: tuple[str, str], rules: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{V2}">'
        "<xdf:header><xdf:nachrichtID>1</xdf:nachrichtID>"
        "<xdf:erstellungszeitpunkt>2024-01-01T00:00:00Z</xdf:erstellungszeitpunkt></xdf:header>"
        "<xdf:stammdatenschema><xdf:identifikation><xdf:id>S99000001</xdf:id>"
        "<xdf:version>2.3</xdf:version></xdf:identifikation>"
        "<xdf:name>Testantrag</xdf:name><xdf:bezeichnungEingabe>Antrag auf Test"
        "</xdf:bezeichnungEingabe><xdf:beschreibung/><xdf:definition/><xdf:bezug/>"
        "<xdf:status><code>aktiv</code></xdf:status>"
        "<xdf:ableitungsmodifikationenStruktur><code>0</code>"
        "</xdf:ableitungsmodifikationenStruktur>"
        "<xdf:ableitungsmodifikationenRepraesentation><code>0</code>"
        "</xdf:ableitungsmodifikationenRepraesentation>"
        f"{rules}{''.join(struktur(anzahl, xml) for anzahl, xml in children)}"
        "</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"
    ).encode()


V3_COMMON = (
    "<xdf:freigabestatus listVersionID='1'><code>6</code></xdf:freigabestatus>"
    "<xdf:letzteAenderung>2024-01-01T00:00:00Z</xdf:letzteAenderung>"
)


def v3_field(
    fim_id: str,
    name: str,
    *,
    datentyp: str = "text",
    feldart: str = "input",
    precision: str = "",
    content: str = "",
) -> str:
    return (
        f"<xdf:datenfeld><xdf:identifikation><xdf:id>{fim_id}</xdf:id>"
        f"<xdf:version>1.0.0</xdf:version></xdf:identifikation><xdf:name>{escape(name)}"
        f"</xdf:name>{V3_COMMON}<xdf:bezeichnungEingabe>{escape(name)}"
        "</xdf:bezeichnungEingabe><xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>"
        f"<xdf:feldart><code>{feldart}</code></xdf:feldart>"
        f"<xdf:datentyp><code>{datentyp}</code></xdf:datentyp>{precision}"
        "<xdf:vorbefuellung><code>keine</code></xdf:vorbefuellung>"
        f"{content}</xdf:datenfeld>"
    )


def v3_group(fim_id: str, name: str, *children: tuple[str, str], art: str = "") -> str:
    return (
        f"<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>{fim_id}</xdf:id>"
        f"<xdf:version>1.0.0</xdf:version></xdf:identifikation><xdf:name>{escape(name)}"
        f"</xdf:name>{V3_COMMON}<xdf:bezeichnungEingabe>{escape(name)}"
        "</xdf:bezeichnungEingabe><xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>"
        f"{art}{''.join(v3_struktur(anzahl, xml) for anzahl, xml in children)}"
        "</xdf:datenfeldgruppe>"
    )


def v3_struktur(anzahl: str, element: str) -> str:
    return (
        f"<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl>"
        f"<xdf:enthaelt>{element}</xdf:enthaelt></xdf:struktur>"
    )


def v3_schema(*children: tuple[str, str]) -> bytes:
    return (
        f'<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{V3}">'
        "<xdf:header><xdf:nachrichtID>1</xdf:nachrichtID>"
        "<xdf:erstellungszeitpunkt>2024-01-01T00:00:00Z</xdf:erstellungszeitpunkt></xdf:header>"
        "<xdf:stammdatenschema><xdf:identifikation><xdf:id>S99000000002</xdf:id>"
        "<xdf:version>1.0.0</xdf:version></xdf:identifikation><xdf:name>Test 3</xdf:name>"
        f"{V3_COMMON}<xdf:bezeichnung>Antrag drei</xdf:bezeichnung>"
        "<xdf:ableitungsmodifikationenStruktur><code>0</code>"
        "</xdf:ableitungsmodifikationenStruktur>"
        "<xdf:ableitungsmodifikationenRepraesentation><code>0</code>"
        "</xdf:ableitungsmodifikationenRepraesentation>"
        "<xdf:dokumentsteckbrief><xdf:id>D1</xdf:id></xdf:dokumentsteckbrief>"
        f"{''.join(v3_struktur(anzahl, xml) for anzahl, xml in children)}"
        "</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"
    ).encode()


# -- steps and groups -----------------------------------------------------------------------


def test_top_level_groups_become_steps_with_their_fim_ids():
    result = imported(
        v2_schema(
            ("1:1", v2_group("G1", "Antragsteller", ("1:1", v2_field("F1", "Familienname")))),
            ("1:1", v2_group("G2", "Fahrzeug", ("0:1", v2_field("F2", "Kennzeichen")))),
        )
    )
    steps = result.definition["steps"]
    assert [(step["key"], step["title"], step["fim"]) for step in steps] == [
        ("antragsteller", "Antragsteller", {"id": "G1", "version": "1.1"}),
        ("fahrzeug", "Fahrzeug", {"id": "G2", "version": "1.1"}),
    ]
    assert steps[0]["fields"][0] == {
        "key": "familienname",
        "type": "text",
        "label": "Familienname",
        "required": True,
        "fim": {"id": "F1", "version": "1.0"},
    }
    assert steps[1]["fields"][0]["required"] is False
    assert result.definition["fim"] == {"id": "S99000001", "version": "2.3"}


def test_a_schema_of_fields_only_is_one_step_titled_after_the_schema():
    result = imported(v2_schema(("1:1", v2_field("F1", "Name")), ("0:1", v2_field("F2", "Ort"))))
    (step,) = result.definition["steps"]
    assert step["title"] == "Antrag auf Test"
    assert [field["key"] for field in step["fields"]] == ["name", "ort"]


def test_top_level_fields_beside_groups_are_gathered_into_their_own_steps():
    result = imported(
        v2_schema(
            ("1:1", v2_field("F1", "Einwilligung", datentyp="bool")),
            ("1:1", v2_group("G1", "Person", ("1:1", v2_field("F2", "Name")))),
            ("0:1", v2_field("F3", "Bemerkung")),
        )
    )
    steps = result.definition["steps"]
    assert [step["key"] for step in steps] == [
        "allgemeine_angaben",
        "person",
        "allgemeine_angaben_2",
    ]
    assert steps[0]["title"] == {"de": "Allgemeine Angaben", "en": "General information"}


def test_nested_groups_carry_their_multiplicity():
    inner = v2_group("G3", "Kind", ("1:1", v2_field("F1", "Vorname")))
    once = v2_group("G4", "Anschrift", ("1:1", v2_field("F2", "Straße")))
    maybe = v2_group("G5", "Vertreter", ("1:1", v2_field("F3", "Name")))
    result = imported(
        v2_schema(
            ("1:1", v2_group("G1", "Familie", ("0:*", inner), ("1:1", once), ("0:1", maybe)))
        )
    )
    kind, anschrift, vertreter = result.definition["steps"][0]["fields"]
    assert {key: kind[key] for key in ("type", "repeatable", "min_items", "max_items")} == {
        "type": "group",
        "repeatable": True,
        "min_items": 0,
        "max_items": None,
    }
    assert kind["required"] is False
    assert kind["fim"] == {"id": "G3", "version": "1.1"}
    assert kind["fields"][0]["key"] == "vorname"
    assert (anschrift["repeatable"], anschrift["min_items"], anschrift["max_items"]) == (
        False,
        1,
        1,
    )
    assert anschrift["required"] is True
    assert (vertreter["repeatable"], vertreter["required"], vertreter["max_items"]) == (
        False,
        False,
        1,
    )


def test_a_bounded_repeat_keeps_its_bounds():
    group = v2_group("G3", "Kind", ("1:1", v2_field("F1", "Vorname")))
    result = imported(v2_schema(("1:1", v2_group("G1", "Familie", ("2:5", group)))))
    (kind,) = result.definition["steps"][0]["fields"]
    assert (kind["repeatable"], kind["min_items"], kind["max_items"], kind["required"]) == (
        True,
        2,
        5,
        True,
    )


def test_a_top_level_group_that_repeats_is_the_one_item_of_its_step():
    group = v2_group("G1", "Fahrzeug", ("1:1", v2_field("F1", "Kennzeichen")))
    result = imported(v2_schema(("1:3", group)))
    (step,) = result.definition["steps"]
    assert step["title"] == "Fahrzeug"
    (item,) = step["fields"]
    assert (item["type"], item["repeatable"], item["max_items"]) == ("group", True, 3)


def test_a_field_that_may_repeat_becomes_a_repeatable_group_holding_it():
    result = imported(
        v2_schema(("1:1", v2_group("G1", "Person", ("1:*", v2_field("F1", "Vorname")))))
    )
    (group,) = result.definition["steps"][0]["fields"]
    assert group["type"] == "group"
    assert (group["repeatable"], group["min_items"], group["max_items"]) == (True, 1, None)
    assert group["fim"] == {"id": "F1", "version": "1.0"}
    assert group["fields"][0]["type"] == "text"
    assert group["fields"][0]["required"] is True
    assert any("1:*" in note for note in notes_about(result, "F1"))


def test_keys_are_unique_among_siblings_and_across_steps_and_slug_like():
    result = imported(
        v2_schema(
            (
                "1:1",
                v2_group(
                    "G1",
                    "Angaben",
                    ("1:1", v2_field("F1", "Straße & Hausnummer")),
                    ("1:1", v2_field("F2", "Straße & Hausnummer")),
                    ("1:1", v2_field("F3", "1. Größe (cm)")),
                    ("1:1", v2_field("F4", "")),
                ),
            ),
            ("1:1", v2_group("G2", "Angaben", ("1:1", v2_field("F5", "Straße & Hausnummer")))),
        )
    )
    first, second = result.definition["steps"]
    assert [field["key"] for field in first["fields"]] == [
        "strasse_hausnummer",
        "strasse_hausnummer_2",
        "f_1_groesse_cm",
        "f4",
    ]
    assert (first["key"], second["key"]) == ("angaben", "angaben_2")
    # The answers of all steps share one object, so a later step gets the next free key.
    assert second["fields"][0]["key"] == "strasse_hausnummer_3"


def test_a_datenfeldgruppe_message_is_a_one_step_form():
    result = import_schema(DATA / "xdatenfelder-xml-tests/v3/simple.xml", "simple.xml")
    assert_valid_structure(result.definition)
    (step,) = result.definition["steps"]
    assert step["title"] == "Anschrift in Deutschland"
    assert step["fim"] == {"id": "G60000000088", "version": "1.2.0"}
    (group,) = step["fields"]
    assert group["label"] == "Straßenanschrift"
    assert group["required"] is False  # anzahl 0:1
    assert result.provenance.message == "datenfeldgruppe.0103"


# -- field types ----------------------------------------------------------------------------


def test_data_types_map_to_field_types():
    fields = [
        v2_field("F1", "Name", praezisierung='{"minLength":"1","maxLength":"60"}'),
        v2_field("F2", "Begründung", praezisierung='{"maxLength":"2000"}'),
        v2_field("F3", "Geburtsdatum", datentyp="date"),
        v2_field("F4", "Vorbestraft", datentyp="bool"),
        v2_field(
            "F5", "Kinder", datentyp="num_int", praezisierung='{"minValue":"0","maxValue":"20"}'
        ),
        v2_field("F6", "Gebühr", datentyp="num_currency", praezisierung='{"maxValue":"99.5"}'),
        v2_field("F7", "Nachweis", datentyp="file"),
        v2_field("F8", "Hinweis", feldart="label", inhalt="Bitte\nbeachten  Sie das."),
    ]
    result = imported(v2_schema(*(("1:1", field) for field in fields)))
    items = {item["fim"]["id"]: item for item in result.definition["steps"][0]["fields"]}
    assert (items["F1"]["type"], items["F1"]["max_length"]) == ("text", 60)
    assert (items["F2"]["type"], items["F2"]["max_length"]) == ("textarea", 2000)
    assert items["F3"]["type"] == "date"
    assert items["F4"]["type"] == "yesno"
    assert (items["F5"]["type"], items["F5"]["min"], items["F5"]["max"]) == ("number", 0, 20)
    assert (items["F6"]["type"], items["F6"]["max"]) == ("currency", 99.5)
    assert items["F7"]["type"] == "file"
    assert items["F8"] == {
        "key": "hinweis",
        "type": "notice",
        "label": "Hinweis",
        "help": "Bitte beachten Sie das.",
        "fim": {"id": "F8", "version": "1.0"},
    }


def test_help_comes_from_hilfetext_eingabe():
    result = imported(v2_schema(("1:1", v2_field("F1", "Name", hilfe="  Wie im Ausweis.\n "))))
    assert by_fim_id(result, "F1")["help"] == "Wie im Ausweis."


def test_patterns_of_email_and_postcode_choose_those_types():
    result = imported(
        v3_schema(
            (
                "1:1",
                v3_field(
                    "F1",
                    "E-Mail",
                    precision='<xdf:praezisierung minLength="6" maxLength="254" '
                    'pattern="[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{1,63}$"/>',
                ),
            ),
            (
                "1:1",
                v3_field(
                    "F2",
                    "PLZ",
                    precision='<xdf:praezisierung minLength="5" maxLength="5" '
                    'pattern="([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}"/>',
                ),
            ),
            ("1:1", v3_field("F3", "Kürzel", precision='<xdf:praezisierung pattern="[A-Z]{2}"/>')),
        )
    )
    assert by_fim_id(result, "F1")["type"] == "email"
    assert by_fim_id(result, "F2")["type"] == "postcode"
    assert by_fim_id(result, "F3")["type"] == "text"
    assert notes_about(result, "F3") == ["Its pattern “[A-Z]{2}” is not checked by the form."]
    assert notes_about(result, "F1") == notes_about(result, "F2") == []


def test_inline_values_become_a_choice():
    values = (
        "<xdf:werte><xdf:wert><xdf:code>001</xdf:code><xdf:name>Bestellung</xdf:name></xdf:wert>"
        "<xdf:wert><xdf:code>002</xdf:code><xdf:name>Erlöschen</xdf:name></xdf:wert></xdf:werte>"
    )
    result = imported(v3_schema(("1:1", v3_field("F1", "Art", feldart="select", content=values))))
    field = by_fim_id(result, "F1")
    assert field["type"] == "choice"
    assert field["options"] == [
        {"value": "001", "label": "Bestellung"},
        {"value": "002", "label": "Erlöschen"},
    ]


def test_a_code_list_beside_the_schema_gives_the_codes():
    result = import_schema(DATA / "v2/S05000058V1.0_xdf2.xml", "S05000058V1.0_xdf2.xml")
    assert_valid_structure(result.definition)
    country = by_fim_id(result, "F05000523")
    assert country["type"] == "codelist"
    codelist = country["codelist"]
    assert codelist["uri"] == "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat"
    assert codelist["version"] == "2020-05-11"
    assert len(codelist["codes"]) == 197
    assert codelist["codes"][0] == {"code": "000", "label": "Deutschland"}
    # A code list whose canonical identification is a plain name with an umlaut.
    confirmation = by_fim_id(result, "F05001344")
    assert confirmation["codelist"]["uri"] == "Bestätigung"
    assert confirmation["codelist"]["codes"] == [{"code": "01", "label": "Ich bestätige."}]


def test_a_zip_with_schema_and_code_lists_gives_the_codes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(DATA / "v2/S05000058V1.0_xdf2.xml", "S05000058/schema.xml")
        for path in sorted((DATA / "v2/codelisten").iterdir()):
            archive.write(path, f"S05000058/codelisten/{path.name}")
        archive.writestr("S05000058/LIESMICH.txt", "Export aus dem FIM-Portal")
    result = import_schema(buffer.getvalue(), "S05000058.zip")
    assert_valid_structure(result.definition)
    assert len(by_fim_id(result, "F05000523")["codelist"]["codes"]) == 197
    assert not [note for note in result.report if "did not come" in note.message]
    assert any("LIESMICH.txt" in note.element for note in result.report)
    assert result.provenance.filename == "S05000058.zip:S05000058/schema.xml"


def test_a_missing_code_list_leaves_a_text_field_that_keeps_uri_and_version():
    result = import_schema((DATA / "v2/S05000058V1.0_xdf2.xml").read_bytes(), "schema.xml")
    country = by_fim_id(result, "F05000523")
    assert country["type"] == "text"
    assert country["codelist"] == {
        "uri": "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat",
        "version": "2020-05-11",
    }
    (note,) = notes_about(result, "F05000523")
    assert "did not come with the schema" in note


def test_a_code_list_of_another_version_is_not_used_and_named():
    result = import_schema(DATA / "v2/BlaueKarte.xml", "BlaueKarte.xml")
    country = by_fim_id(result, "F00000038")
    assert country["type"] == "text"
    assert country["codelist"]["version"] == "2017-01-01"
    assert any("Versions present: 2020-05-11" in note for note in notes_about(result, "F00000038"))


# -- rules and notes ------------------------------------------------------------------------


def test_rules_stay_as_notes_on_their_element_and_in_the_report():
    rule = v2_rule("R60000037", "MindestEineAngabe", "Mindestens ein Feld ist anzugeben.")
    group = v2_group("G1", "Kontakt", ("0:1", v2_field("F1", "Telefon")), rules=rule)
    schema_rule = v2_rule("R1", "Zustimmung", "Ohne Zustimmung keine Bearbeitung.")
    result = imported(v2_schema(("1:1", group), rules=schema_rule))
    step = result.definition["steps"][0]
    assert step["notes"] == [
        "Regel R60000037 „MindestEineAngabe“: Mindestens ein Feld ist anzugeben."
    ]
    assert result.definition["notes"] == [
        "Regel R1 „Zustimmung“: Ohne Zustimmung keine Bearbeitung."
    ]
    assert [str(note) for note in result.report] == [
        "Stammdatenschema S99000001 (2.3): Regel R1 “Zustimmung” cannot be carried out by the "
        "form; it is kept as a note on the element.",
        "Datenfeldgruppe G1 (1.1): Regel R60000037 “MindestEineAngabe” cannot be carried out by "
        "the form; it is kept as a note on the element.",
    ]


def test_a_field_rule_from_the_library_tests_is_a_note_on_the_field():
    result = import_schema(DATA / "xdatenfelder-xml-tests/v2/data-field-rule.xml", "rule.xml")
    assert by_fim_id(result, "F123")["notes"] == [
        "Regel R60000037 „MindestEineAngabe“: Eine Definition"
    ]


def test_every_report_note_names_a_fim_id_or_a_file():
    for path in [*DATA.glob("v3/*/schema.xdf.xml"), *DATA.glob("v2/*.xml")]:
        for note in import_schema(path, path.name).report:
            assert note.fim_id or note.element, note
            assert str(note)


def test_what_the_form_cannot_do_is_reported():
    result = imported(
        v3_schema(
            ("1:1", v3_field("F1", "Zahl", datentyp="num")),
            ("1:1", v3_field("F2", "Zeit", datentyp="time")),
            ("1:1", v3_field("F3", "Versteckt", feldart="hidden")),
            ("1:1", v3_field("F4", "Vorbelegt", content="<xdf:inhalt>Muster</xdf:inhalt>")),
            ("1:1", v3_field("F5", "Auswahl ohne Liste", feldart="select")),
            (
                "1:1",
                v3_group(
                    "G1",
                    "Entweder oder",
                    ("0:1", v3_field("F6", "A")),
                    ("0:1", v3_field("F7", "B")),
                    art="<xdf:art><code>X</code></xdf:art>",
                ),
            ),
        )
    )
    assert "“time” has no matching field type" in notes_about(result, "F2")[0]
    assert "decimals" in notes_about(result, "F1")[0]
    assert "hidden" in notes_about(result, "F3")[0]
    assert "F3" not in {
        item["fim"]["id"] for item in all_items(result.definition["steps"][0]["fields"])
    }
    assert "“Muster” is not applied" in notes_about(result, "F4")[0]
    assert by_fim_id(result, "F5")["type"] == "text"
    assert "without values or code list" in notes_about(result, "F5")[0]
    assert "Auswahlgruppe" in notes_about(result, "G1")[0]


def test_provenance_names_schema_version_and_standard():
    result = import_schema(DATA / "v3/S07000000201/schema.xdf.xml", "schema.xdf.xml")
    assert result.provenance.as_dict() == {
        "schema_id": "S07000000201",
        "version": "1.2.0",
        "name": "Antrag auf Zulassung zur Jägerprüfung",
        "title": "Antrag auf Zulassung zur Jägerprüfung",
        "xdf_version": "3.0.0",
        "message": "stammdatenschema.0102",
        "status": "fachlich freigegeben (silber)",
        "filename": "schema.xdf.xml",
    }


def test_a_real_v3_schema_maps_repeats_values_and_postcodes():
    result = import_schema(DATA / "v3/S00000000373/schema.xdf.xml", "schema.xdf.xml")
    assert_valid_structure(result.definition)
    steps = result.definition["steps"]
    assert [step["fim"]["id"] for step in steps] == ["G00000002191", "G00000002237"]
    (notification,) = steps[1]["fields"]  # anzahl 1:* at the top: the group is the step's item
    assert (notification["repeatable"], notification["min_items"]) == (True, 1)
    kind = notification["fields"][0]  # F00000003430, anzahl 1:2, select with inline values
    assert (kind["type"], kind["max_items"]) == ("group", 2)
    assert kind["fields"][0]["type"] == "choice"
    assert by_fim_id(result, "F60000000246")["type"] == "postcode"
    assert notification["notes"][0].startswith("Regel R00000002588 „Art der Mitteilung")


def test_refusals_say_where():
    broken = v2_schema(("1:1", v2_field("F1", "Name"))).replace(
        b"<xdf:anzahl>1:1", b"<xdf:anzahl>1:x"
    )
    with pytest.raises(FimImportError) as raised:
        import_schema(broken, "antrag.xml")
    assert str(raised.value).startswith(
        "antrag.xml, line 1: Stammdatenschema S99000001: The anzahl"
    )
