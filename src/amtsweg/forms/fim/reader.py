"""What reading XDatenfelder 2.0 and 3.0.0 has in common: checking an element's children
against the standard, identification, multiplicities, codes and texts.

Each version's reader (``xdf2.XdfReader2``, ``xdf3.XdfReader3``) declares, per element type,
which child elements the standard allows and how often (taken from the official XSDs), and
reads what differs between the versions. The checks:

* an element the standard does not define at that place is refused, naming it;
* an element given more often than allowed is refused; the one exception is ``inhalt`` given
  twice with at most one non-empty occurrence (seen in exports), which is imported with a note;
* a required element that is missing is refused when the import cannot go on without it (an
  ``id``, a struktur's ``anzahl`` or ``enthaelt``) and otherwise noted;
* a status code outside its code list is refused (it says whether the element may be used).
"""

import re
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from amtsweg.forms.fim.model import Child, Element, Message, Rule
from amtsweg.forms.fim.parse import SourceElement, split_tag
from amtsweg.forms.fim.report import FimImportError, Report, Where

#: Child element name → (minimum, maximum or None for unbounded), as in the XSD.
Spec = dict[str, tuple[int, int | None]]

ANZAHL = re.compile(r"(\d{1,9}):(\*|\d{1,9})")
IDENT: Spec = {"id": (1, 1), "version": (0, 1)}
ENTHAELT: Spec = {"datenfeld": (0, 1), "datenfeldgruppe": (0, 1)}
TOLERATED_DUPLICATES = {"inhalt"}
#: Message types that carry something the importer can turn into a form.
MESSAGES = {
    "xdatenfelder.stammdatenschema.0102": ("stammdatenschema", "schema"),
    "xdatenfelder.datenfeldgruppe.0103": ("datenfeldgruppe", "group"),
    "xdatenfelder.datenfeld.0104": ("datenfeld", "field"),
}
OTHER_MESSAGES = {
    "xdatenfelder.dokumentsteckbrief.0101": "Dokumentsteckbrief",
    "xdatenfelder.codeliste.0105": "Codeliste",
    "xdatenfelder.uebersetzung.0106": "Übersetzung",
}
_SCRIPT_STUB = re.compile(r"(function\s*script\s*\(\s*\)\s*\{\s*\})?", re.IGNORECASE)


def clean_line(text: str | None) -> str:
    """A label: all whitespace, line breaks included, collapsed to single spaces."""
    return " ".join((text or "").split())


def clean_text(text: str | None) -> str:
    """A longer text: lines stripped and inner spaces collapsed, paragraphs kept."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r", "\n").split("\n")]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def text_of(node: SourceElement | None) -> str:
    return "".join(node.itertext()) if node is not None else ""


def is_trivial_script(script: str) -> bool:
    return bool(_SCRIPT_STUB.fullmatch(script.strip()))


class XdfReader:
    """Reads one XDatenfelder message of one version into ``model`` objects."""

    xdf_version: ClassVar[str]
    namespace: ClassVar[str]
    status_element: ClassVar[str]
    status_codes: ClassVar[dict[str, str]]
    released_codes: ClassVar[set[str]]
    specs: ClassVar[dict[str, Spec]]  # schema, group, field, rule, struktur, header

    def __init__(self, filename: str, report: Report) -> None:
        self.filename = filename
        self.report = report

    # -- the message ------------------------------------------------------------------------

    def read(self, root: SourceElement) -> Message:
        _uri, local = split_tag(root.tag)
        where = Where(self.filename, line=root.sourceline)
        if local in OTHER_MESSAGES:
            raise where.error(
                _(
                    "This is a %(kind)s message (%(message)s); only a Stammdatenschema (0102), "
                    "a Datenfeldgruppe (0103) or a Datenfeld (0104) can be imported."
                )
                % {"kind": OTHER_MESSAGES[local], "message": local}
            )
        if local not in MESSAGES:
            raise where.error(
                _("The root element <%(tag)s> is no XDatenfelder %(version)s message.")
                % {"tag": local, "version": self.xdf_version}
            )
        child_name, kind = MESSAGES[local]
        found = self.check(
            root, {"header": (1, 1), child_name: (1, 1)}, where, local, essential={child_name}
        )
        element = self.read_element(found[child_name][0], kind)
        status, label = self.status_of(found[child_name][0])
        if status and status not in self.released_codes:
            self.report.add(
                self.where(element),
                _("Its status is “%(status)s”; check whether it may be used before publishing.")
                % {"status": label},
            )
        return Message(
            xdf_version=self.xdf_version,
            message_type=local.removeprefix("xdatenfelder."),
            root=element,
            status=status,
            status_label=label,
        )

    # -- elements ---------------------------------------------------------------------------

    def read_element(self, node: SourceElement, kind: str) -> Element:
        where = self.identify(node, kind)
        found = self.check(node, self.specs[kind], where, self.tag_of(node))
        self.check_status(found, where)
        name = clean_line(self.first_text(found, "name"))
        element = Element(
            kind=kind,
            fim_id=where.fim_id,
            version=where.version,
            name=name,
            label=name,
            line=node.sourceline,
        )
        element.rules = [self.read_rule(rule) for rule in found.get("regel", [])]
        self.read_details(element, found, where)
        if not element.label:
            element.label = element.fim_id
            self.report.add(where, _("It has neither a name nor a label; its id is shown."))
        if kind in ("schema", "group"):
            for struktur in found.get("struktur", []):
                element.children.append(self.read_struktur(struktur, where))
        return element

    def read_details(
        self, element: Element, found: dict[str, list[SourceElement]], where: Where
    ) -> None:
        """Labels, help and the kind-specific content; differs between the versions."""
        raise NotImplementedError

    def read_rule(self, node: SourceElement) -> Rule:
        raise NotImplementedError

    def read_struktur(self, node: SourceElement, parent: Where) -> Child:
        found = self.check(
            node, self.specs["struktur"], parent, "struktur", essential={"anzahl", "enthaelt"}
        )
        anzahl = clean_line(text_of(found["anzahl"][0]))
        match = ANZAHL.fullmatch(anzahl)
        if not match:
            raise parent.error(
                _("The anzahl “%(anzahl)s” is not a multiplicity such as 1:1, 0:1 or 0:*.")
                % {"anzahl": anzahl},
                line=found["anzahl"][0].sourceline,
            )
        low = int(match[1])
        high = None if match[2] == "*" else int(match[2])
        if high is not None and high < low:
            raise parent.error(
                _("The anzahl “%(anzahl)s” allows fewer occurrences than it requires.")
                % {"anzahl": anzahl},
                line=found["anzahl"][0].sourceline,
            )
        enthaelt = found["enthaelt"][0]
        content = self.check(enthaelt, ENTHAELT, parent, "enthaelt")
        nodes = [*content.get("datenfeldgruppe", []), *content.get("datenfeld", [])]
        if len(nodes) != 1:
            raise parent.error(
                _("<enthaelt> must hold exactly one datenfeld or datenfeldgruppe."),
                line=enthaelt.sourceline,
            )
        kind = "group" if "datenfeldgruppe" in content else "field"
        return Child(self.read_element(nodes[0], kind), low, high, line=node.sourceline)

    # -- identification, status, codes, texts ------------------------------------------------

    def identify(self, node: SourceElement, kind: str) -> Where:
        """The element's id and version, from its <identifikation>; refuses a missing id."""
        where = Where(self.filename, kind=kind, line=node.sourceline)
        idents = [child for child in node if self.is_xdf(child, "identifikation")]
        if not idents:
            raise where.error(_("The required element <identifikation> is missing."))
        ids = [child for child in idents[0] if self.is_xdf(child, "id")]
        tentative = clean_line(text_of(ids[0])) if ids else ""
        where = Where(self.filename, kind, tentative, None, node.sourceline)
        if len(idents) > 1:
            raise self.duplicate(where, "identifikation", self.tag_of(node), idents[1])
        found = self.check(idents[0], IDENT, where, "identifikation", essential={"id"})
        if not tentative:
            raise where.error(
                _("The <id> in <identifikation> is empty."), line=found["id"][0].sourceline
            )
        version = clean_line(self.first_text(found, "version")) or None
        return Where(self.filename, kind, tentative, version, node.sourceline)

    def status_of(self, node: SourceElement) -> tuple[str, str]:
        for child in node:
            if self.is_xdf(child, self.status_element):
                code = self.code_of(child)
                return code, self.status_codes.get(code, code)
        return "", ""

    def check_status(self, found: dict[str, list[SourceElement]], where: Where) -> None:
        if self.status_element not in found:
            return
        node = found[self.status_element][0]
        code = self.code_of(node)
        if code not in self.status_codes:
            known = ", ".join(f"{key} ({value})" for key, value in self.status_codes.items())
            raise where.error(
                _("The %(element)s code “%(code)s” is not in its code list (%(known)s).")
                % {"element": self.status_element, "code": code, "known": known},
                line=node.sourceline,
            )

    def code_of(self, node: SourceElement | None) -> str:
        """The value of a code element (``<xdf:feldart><code>input</code></xdf:feldart>``)."""
        if node is None:
            return ""
        for child in node:
            if split_tag(child.tag)[1] == "code":
                return clean_line(text_of(child))
        return ""

    def first(self, found: dict[str, list[SourceElement]], name: str) -> SourceElement | None:
        nodes = found.get(name)
        return nodes[0] if nodes else None

    def first_text(self, found: dict[str, list[SourceElement]], name: str) -> str:
        return text_of(self.first(found, name))

    def is_xdf(self, node: SourceElement, name: str) -> bool:
        return split_tag(node.tag) == (self.namespace, name)

    def tag_of(self, node: SourceElement) -> str:
        return split_tag(node.tag)[1]

    def where(self, element: Element) -> Where:
        return Where(self.filename, element.kind, element.fim_id, element.version, element.line)

    # -- the structure check ----------------------------------------------------------------

    def check(
        self,
        node: SourceElement,
        spec: Spec,
        where: Where,
        tag: str,
        *,
        essential: set[str] | frozenset[str] = frozenset(),
    ) -> dict[str, list[SourceElement]]:
        """The children of ``node`` by name, after checking them against ``spec``."""
        found: dict[str, list[SourceElement]] = {}
        for child in node:
            uri, local = split_tag(child.tag)
            if uri != self.namespace or local not in spec:
                shown = f"xdf:{local}" if uri == self.namespace else f"{{{uri}}}{local}"
                raise where.error(
                    _(
                        "Unexpected element <%(child)s> in <%(parent)s>: XDatenfelder "
                        "%(version)s has no such element there."
                    )
                    % {"child": shown, "parent": tag, "version": self.xdf_version},
                    line=child.sourceline,
                )
            found.setdefault(local, []).append(child)
        for name, (low, high) in spec.items():
            nodes = found.get(name, [])
            if high is not None and len(nodes) > high:
                found[name] = self.tolerate_duplicate(where, name, tag, nodes)
            if len(nodes) < low:
                message = _("The required element <%(child)s> is missing in <%(parent)s>.") % {
                    "child": name,
                    "parent": tag,
                }
                if name in essential:
                    raise where.error(message, line=node.sourceline)
                self.report.add(where, message + " " + _("Imported without it."))
        return found

    def tolerate_duplicate(
        self, where: Where, name: str, tag: str, nodes: list[SourceElement]
    ) -> list[SourceElement]:
        filled = [node for node in nodes if text_of(node).strip()]
        if name in TOLERATED_DUPLICATES and len(filled) <= 1:
            self.report.add(
                where,
                _("<%(child)s> is given %(count)d times in <%(parent)s>; the filled one is used.")
                % {"child": name, "count": len(nodes), "parent": tag},
            )
            return filled or nodes[:1]
        raise self.duplicate(where, name, tag, nodes[1])

    def duplicate(
        self, where: Where, name: str, tag: str, second: SourceElement
    ) -> FimImportError:
        return where.error(
            _(
                "The element <%(child)s> is given more than once in <%(parent)s>; it is "
                "allowed once."
            )
            % {"child": name, "parent": tag},
            line=second.sourceline,
        )


def merge_specs(*parts: Spec) -> Spec:
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    return merged
