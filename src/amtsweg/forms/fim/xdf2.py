"""Reading XDatenfelder 2.0 (namespace ``urn:xoev-de:fim:standard:xdatenfelder_2``).

2.0 writes the element status as ``status`` (aktiv, inaktiv, inVorbereitung), a field's
precision as JSON text in ``praezisierung`` (``{"minLength":"1","maxLength":"60"}``), a rule's
text in its ``definition`` with a ``script``, and refers to code lists by a
``codelisteReferenz`` holding the code list's FIM id and its genericode identification.
"""

import json

from amtsweg.forms.fim.model import CodeListReference, Element, Precision, Rule
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

NAMESPACE = "urn:xoev-de:fim:standard:xdatenfelder_2"

COMMON: Spec = {
    "identifikation": (1, 1),
    "name": (1, 1),
    "bezeichnungEingabe": (1, 1),
    "bezeichnungAusgabe": (0, 1),
    "beschreibung": (1, 1),
    "definition": (1, 1),
    "bezug": (1, 1),
    "status": (1, 1),
    "gueltigAb": (0, 1),
    "gueltigBis": (0, 1),
    "fachlicherErsteller": (0, 1),
    "versionshinweis": (0, 1),
    "freigabedatum": (0, 1),
    "veroeffentlichungsdatum": (0, 1),
}
SCHEMA_ELEMENT = merge_specs(
    COMMON,
    {"schemaelementart": (1, 1), "hilfetextEingabe": (1, 1), "hilfetextAusgabe": (1, 1)},
)
SPECS: dict[str, Spec] = {
    "schema": merge_specs(
        COMMON,
        {
            "hilfetext": (0, 1),
            "ableitungsmodifikationenStruktur": (1, 1),
            "ableitungsmodifikationenRepraesentation": (1, 1),
            "regel": (0, None),
            "struktur": (0, None),
        },
    ),
    "group": merge_specs(SCHEMA_ELEMENT, {"regel": (0, None), "struktur": (0, None)}),
    "field": merge_specs(
        SCHEMA_ELEMENT,
        {
            "feldart": (1, 1),
            "datentyp": (1, 1),
            "praezisierung": (1, 1),
            "inhalt": (1, 1),
            "codelisteReferenz": (0, 1),
            "regel": (0, None),
        },
    ),
    "rule": merge_specs(COMMON, {"script": (1, 1)}),
    "struktur": {"anzahl": (1, 1), "bezug": (1, 1), "enthaelt": (1, 1)},
}
CODE_LIST_REFERENCE: Spec = {"identifikation": (1, 1), "genericodeIdentification": (1, 1)}
GENERICODE_IDENTIFICATION: Spec = {
    "canonicalIdentification": (1, 1),
    "version": (1, 1),
    "canonicalVersionUri": (1, 1),
}
PRECISION_KEYS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minValue": "min_value",
    "maxValue": "max_value",
    "pattern": "pattern",
}


class XdfReader2(XdfReader):
    xdf_version = "2.0"
    namespace = NAMESPACE
    status_element = "status"
    status_codes = {"aktiv": "aktiv", "inaktiv": "inaktiv", "inVorbereitung": "in Vorbereitung"}
    released_codes = {"aktiv"}
    specs = SPECS

    def read_details(
        self, element: Element, found: dict[str, list[SourceElement]], where: Where
    ) -> None:
        element.label = clean_line(self.first_text(found, "bezeichnungEingabe")) or element.name
        if element.kind == "schema":
            element.help = clean_text(self.first_text(found, "hilfetext"))
            return
        element.help = clean_text(self.first_text(found, "hilfetextEingabe"))
        if element.kind != "field":
            return
        element.input_kind = self.code_of(self.first(found, "feldart"))
        element.data_type = self.code_of(self.first(found, "datentyp"))
        element.content = clean_text(self.first_text(found, "inhalt"))
        element.precision = self.read_precision(self.first_text(found, "praezisierung"))
        reference = self.first(found, "codelisteReferenz")
        if reference is not None:
            element.code_list = self.read_code_list_reference(reference)

    def read_precision(self, raw: str) -> Precision:
        precision = Precision()
        raw = raw.strip()
        if not raw:
            return precision
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            precision.unknown.append(("praezisierung", raw))
            return precision
        if not isinstance(data, dict):
            precision.unknown.append(("praezisierung", raw))
            return precision
        for key, value in data.items():
            text = clean_line(str(value)) if isinstance(value, str | int | float) else ""
            if key in PRECISION_KEYS and (text or value is None):
                setattr(precision, PRECISION_KEYS[key], text)
            else:
                precision.unknown.append((str(key), json.dumps(value, ensure_ascii=False)))
        return precision

    def read_code_list_reference(self, node: SourceElement) -> CodeListReference:
        where = self.identify(node, "codelist")
        found = self.check(node, CODE_LIST_REFERENCE, where, "codelisteReferenz")
        identification = self.first(found, "genericodeIdentification")
        if identification is None:
            return CodeListReference("", "", "", fim_id=where.fim_id)
        ids = self.check(
            identification, GENERICODE_IDENTIFICATION, where, "genericodeIdentification"
        )
        return CodeListReference(
            uri=clean_line(self.first_text(ids, "canonicalIdentification")),
            version=clean_line(self.first_text(ids, "version")),
            version_uri=clean_line(self.first_text(ids, "canonicalVersionUri")),
            fim_id=where.fim_id,
        )

    def read_rule(self, node: SourceElement) -> Rule:
        where = self.identify(node, "rule")
        found = self.check(node, SPECS["rule"], where, "regel")
        self.check_status(found, where)
        text = ""
        for name in ("definition", "beschreibung", "bezeichnungEingabe"):
            text = clean_text(self.first_text(found, name))
            if text:
                break
        script = text_of(self.first(found, "script")).strip()
        return Rule(
            fim_id=where.fim_id,
            version=where.version,
            name=clean_line(self.first_text(found, "name")),
            text=text,
            script="" if is_trivial_script(script) else script,
            line=node.sourceline,
        )
