"""Reading XDatenfelder 3.0.0 (namespace ``urn:xoev-de:fim:standard:xdatenfelder_3.0.0``).

3.0.0 writes the element status as ``freigabestatus`` (codes 1–8 of the XProzess status list),
a field's precision as attributes of ``praezisierung``, a rule's text in ``freitextRegel`` (and
optionally a ``skript``), selection values either inline (``werte``) or as a reference to a
genericode code list (``codelisteReferenz`` with ``codeKey``/``nameKey`` naming its columns).
A Datenfeldgruppe may be an Auswahlgruppe (``art`` X: fill exactly one of its children), and a
file field may restrict size and media types.
"""

from django.utils.translation import gettext as _

from amtsweg.forms.fim.model import CodeListReference, Element, Precision, Rule, Value
from amtsweg.forms.fim.parse import SourceElement
from amtsweg.forms.fim.reader import (
    Spec,
    XdfReader,
    clean_line,
    clean_text,
    is_trivial_script,
    merge_specs,
    text_of,
)
from amtsweg.forms.fim.report import Where

NAMESPACE = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"

COMMON: Spec = {
    "identifikation": (1, 1),
    "name": (1, 1),
    "beschreibung": (0, 1),
    "definition": (0, 1),
    "bezug": (0, None),
    "freigabestatus": (1, 1),
    "statusGesetztAm": (0, 1),
    "statusGesetztDurch": (0, 1),
    "gueltigAb": (0, 1),
    "gueltigBis": (0, 1),
    "versionshinweis": (0, 1),
    "veroeffentlichungsdatum": (0, 1),
    "letzteAenderung": (1, 1),
    "relation": (0, None),
    "stichwort": (0, None),
}
SCHEMA_ELEMENT = merge_specs(
    COMMON,
    {
        "bezeichnungEingabe": (1, 1),
        "bezeichnungAusgabe": (0, 1),
        "schemaelementart": (1, 1),
        "hilfetextEingabe": (0, 1),
        "hilfetextAusgabe": (0, 1),
    },
)
SPECS: dict[str, Spec] = {
    "schema": merge_specs(
        COMMON,
        {
            "bezeichnung": (1, 1),
            "hilfetext": (0, 1),
            "ableitungsmodifikationenStruktur": (1, 1),
            "ableitungsmodifikationenRepraesentation": (1, 1),
            "dokumentsteckbrief": (1, 1),
            "regel": (0, None),
            "struktur": (1, None),
        },
    ),
    "group": merge_specs(
        SCHEMA_ELEMENT, {"art": (0, 1), "regel": (0, None), "struktur": (1, None)}
    ),
    "field": merge_specs(
        SCHEMA_ELEMENT,
        {
            "feldart": (1, 1),
            "datentyp": (1, 1),
            "praezisierung": (0, 1),
            "inhalt": (0, 1),
            "vorbefuellung": (1, 1),
            "werte": (0, 1),
            "codelisteReferenz": (0, 1),
            "codeKey": (0, 1),
            "nameKey": (0, 1),
            "helpKey": (0, 1),
            "regel": (0, None),
            "maxSize": (0, 1),
            "mediaType": (0, None),
        },
    ),
    "rule": {
        "identifikation": (1, 1),
        "name": (1, 1),
        "beschreibung": (0, 1),
        "freitextRegel": (0, 1),
        "bezug": (0, None),
        "stichwort": (0, None),
        "fachlicherErsteller": (0, 1),
        "letzteAenderung": (1, 1),
        "typ": (1, 1),
        "param": (0, None),
        "ziel": (0, None),
        "skript": (0, 1),
        "fehler": (0, None),
    },
    "struktur": {"anzahl": (1, 1), "bezug": (0, None), "enthaelt": (1, 1)},
}
VALUES: Spec = {"wert": (1, None)}
VALUE: Spec = {"code": (1, 1), "name": (1, 1), "hilfe": (0, 1)}
GENERICODE_IDENTIFICATION: Spec = {
    "canonicalIdentification": (0, 1),
    "version": (0, 1),
    "canonicalVersionUri": (0, 1),
}
PRECISION_ATTRIBUTES = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minValue": "min_value",
    "maxValue": "max_value",
    "pattern": "pattern",
}
#: XProzess status list (urn:xoev-de:xprozess:codeliste:status).
FREIGABESTATUS = {
    "1": "in Planung",
    "2": "in Bearbeitung",
    "3": "Entwurf",
    "4": "methodisch freigegeben",
    "5": "fachlich freigegeben (silber)",
    "6": "fachlich freigegeben (gold)",
    "7": "inaktiv",
    "8": "vorgesehen zum Löschen",
}


class XdfReader3(XdfReader):
    xdf_version = "3.0.0"
    namespace = NAMESPACE
    status_element = "freigabestatus"
    status_codes = FREIGABESTATUS
    released_codes = {"5", "6"}
    specs = SPECS

    def read_details(
        self, element: Element, found: dict[str, list[SourceElement]], where: Where
    ) -> None:
        if element.kind == "schema":
            element.label = clean_line(self.first_text(found, "bezeichnung")) or element.name
            element.help = clean_text(self.first_text(found, "hilfetext"))
            return
        element.label = clean_line(self.first_text(found, "bezeichnungEingabe")) or element.name
        element.help = clean_text(self.first_text(found, "hilfetextEingabe"))
        if element.kind == "group":
            element.group_kind = self.code_of(self.first(found, "art"))
            return
        element.input_kind = self.code_of(self.first(found, "feldart"))
        element.data_type = self.code_of(self.first(found, "datentyp"))
        element.content = clean_text(self.first_text(found, "inhalt"))
        element.prefill = self.code_of(self.first(found, "vorbefuellung"))
        element.precision = self.read_precision(self.first(found, "praezisierung"))
        werte = self.first(found, "werte")
        if werte is not None:
            element.values = self.read_values(werte, where)
        reference = self.first(found, "codelisteReferenz")
        if reference is not None:
            ids = self.check(reference, GENERICODE_IDENTIFICATION, where, "codelisteReferenz")
            element.code_list = CodeListReference(
                uri=clean_line(self.first_text(ids, "canonicalIdentification")),
                version=clean_line(self.first_text(ids, "version")),
                version_uri=clean_line(self.first_text(ids, "canonicalVersionUri")),
                code_key=clean_line(self.first_text(found, "codeKey")),
                name_key=clean_line(self.first_text(found, "nameKey")),
            )
        element.max_size = clean_line(self.first_text(found, "maxSize"))
        element.media_types = [
            clean_line(text_of(node)) for node in found.get("mediaType", []) if text_of(node)
        ]

    def read_precision(self, node: SourceElement | None) -> Precision:
        precision = Precision()
        if node is None:
            return precision
        for key, value in node.attrib.items():
            if key in PRECISION_ATTRIBUTES:
                setattr(precision, PRECISION_ATTRIBUTES[key], value.strip())
            else:
                precision.unknown.append((key, value))
        text = clean_line(text_of(node))
        if text:
            precision.unknown.append(("text", text))
        return precision

    def read_values(self, node: SourceElement, where: Where) -> list[Value]:
        found = self.check(node, VALUES, where, "werte")
        values = []
        for wert in found.get("wert", []):
            parts = self.check(wert, VALUE, where, "wert", essential={"code"})
            values.append(
                Value(
                    code=clean_line(self.first_text(parts, "code")),
                    name=clean_line(self.first_text(parts, "name")),
                    help=clean_text(self.first_text(parts, "hilfe")),
                )
            )
        if not values:
            self.report.add(where, _("<werte> holds no <wert>; the values are left out."))
        return values

    def read_rule(self, node: SourceElement) -> Rule:
        where = self.identify(node, "rule")
        found = self.check(node, SPECS["rule"], where, "regel")
        text = clean_text(self.first_text(found, "freitextRegel")) or clean_text(
            self.first_text(found, "beschreibung")
        )
        script = text_of(self.first(found, "skript")).strip()
        return Rule(
            fim_id=where.fim_id,
            version=where.version,
            name=clean_line(self.first_text(found, "name")),
            text=text,
            script="" if is_trivial_script(script) else script,
            line=node.sourceline,
        )
