"""Reading genericode 1.0 code lists (OASIS), the format FIM publishes its code lists in.

A code list has columns, keys naming the columns that identify a row, and rows of values. The
code is read from the column named by the field's ``codeKey`` (3.0.0), else from the first key's
column; the label from the column named by ``nameKey``, else from a second key whose name says
"name" (FIM's ``codenameKey``), else from a column called name/bezeichnung, else from the first
other column. Lists are matched to references by canonical URI and version (or by the canonical
version URI); the URI may be a plain name such as ``Halterdaten``.
"""

from dataclasses import dataclass, field

from amtsweg.forms.fim.model import CodeListReference
from amtsweg.forms.fim.parse import SourceElement, split_tag
from amtsweg.forms.fim.reader import clean_line, text_of

NAMESPACE = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/"
LABEL_COLUMN_NAMES = ("name", "bezeichnung", "beschreibung", "wert")


@dataclass
class CodeList:
    uri: str
    version: str
    version_uri: str
    source: str
    columns: list[str] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)
    key_names: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)

    def column_for(self, key: str) -> str:
        """The column a key or column id names, or '' when there is none."""
        if self.keys.get(key):
            return self.keys[key][0]
        return key if key in self.columns else ""

    def code_column(self, code_key: str = "") -> str:
        if code_key and self.column_for(code_key):
            return self.column_for(code_key)
        for columns in self.keys.values():
            if columns:
                return columns[0]
        return self.columns[0] if self.columns else ""

    def label_column(self, code_column: str, name_key: str = "") -> str:
        if name_key and self.column_for(name_key):
            return self.column_for(name_key)
        for key, columns in self.keys.items():
            named = f"{key} {self.key_names.get(key, '')}".lower()
            if columns and columns[0] != code_column and "name" in named:
                return columns[0]
        for column in self.columns:
            if column.lower() in LABEL_COLUMN_NAMES and column != code_column:
                return column
        others = [column for column in self.columns if column != code_column]
        return others[0] if others else code_column

    def codes(self, code_key: str = "", name_key: str = "") -> tuple[list[dict[str, str]], int]:
        """The entries as ``{"code", "label"}`` (first of equal codes kept), and how many
        rows were left out for a missing or repeated code."""
        code_column = self.code_column(code_key)
        label_column = self.label_column(code_column, name_key)
        entries: list[dict[str, str]] = []
        seen: set[str] = set()
        skipped = 0
        for row in self.rows:
            code = row.get(code_column, "")
            if not code or code in seen:
                skipped += 1
                continue
            seen.add(code)
            entries.append({"code": code, "label": row.get(label_column) or code})
        return entries, skipped


def code_lists_in(root: SourceElement, source: str) -> list[CodeList]:
    """Every genericode code list in a document: the root itself, or lists embedded in it."""
    if split_tag(root.tag) == (NAMESPACE, "CodeList"):
        return [read_code_list(root, source)]
    return [
        read_code_list(node, source)
        for node in root.iter()
        if isinstance(node, SourceElement) and split_tag(node.tag) == (NAMESPACE, "CodeList")
    ]


def _children(node: SourceElement, name: str) -> list[SourceElement]:
    """Children by local name: genericode files write them qualified or unqualified."""
    return [child for child in node if split_tag(child.tag)[1] == name]


def _child_text(node: SourceElement | None, name: str) -> str:
    if node is None:
        return ""
    found = _children(node, name)
    return clean_line(text_of(found[0])) if found else ""


def read_code_list(node: SourceElement, source: str) -> CodeList:
    identification = next(iter(_children(node, "Identification")), None)
    code_list = CodeList(
        uri=_child_text(identification, "CanonicalUri"),
        version=_child_text(identification, "Version"),
        version_uri=_child_text(identification, "CanonicalVersionUri"),
        source=source,
    )
    for column_set in _children(node, "ColumnSet"):
        for column in _children(column_set, "Column"):
            code_list.columns.append(column.get("Id", ""))
        for key in _children(column_set, "Key"):
            key_id = key.get("Id", "")
            code_list.keys[key_id] = [ref.get("Ref", "") for ref in _children(key, "ColumnRef")]
            code_list.key_names[key_id] = _child_text(key, "ShortName")
    for simple in _children(node, "SimpleCodeList"):
        for row in _children(simple, "Row"):
            values: dict[str, str] = {}
            position = -1
            for value in _children(row, "Value"):
                reference = value.get("ColumnRef")
                if reference in code_list.columns:
                    position = code_list.columns.index(reference)
                else:
                    position += 1
                column = reference or (
                    code_list.columns[position] if position < len(code_list.columns) else ""
                )
                if column:
                    values[column] = _child_text(value, "SimpleValue")
            code_list.rows.append(values)
    return code_list


@dataclass
class CodeListIndex:
    """The code lists that came with a schema, to be found by a field's reference."""

    lists: list[CodeList] = field(default_factory=list)

    def find(self, reference: CodeListReference) -> CodeList | None:
        if not reference.uri and not reference.version_uri:
            return None
        for code_list in self.lists:
            if reference.version_uri and code_list.version_uri == reference.version_uri:
                return code_list
        same_uri = [code_list for code_list in self.lists if code_list.uri == reference.uri]
        if reference.version:
            same_uri = [
                code_list for code_list in same_uri if code_list.version == reference.version
            ]
        return same_uri[0] if len(same_uri) == 1 else None

    def other_versions(self, reference: CodeListReference) -> list[str]:
        return sorted(
            {
                code_list.version or "?"
                for code_list in self.lists
                if code_list.uri == reference.uri and code_list.version != reference.version
            }
        )
