"""The XDatenfelder content the importer understands, the same for versions 2.0 and 3.0.0.

The readers (``xdf2``, ``xdf3``) turn a message into these objects; ``mapping`` turns them into
an Amtsweg form definition. Only what the mapping uses is kept.
"""

from dataclasses import dataclass, field


@dataclass
class Rule:
    """A Regel: a condition between elements, in FIM free text (and, rarely, a script)."""

    fim_id: str
    version: str | None
    name: str
    text: str
    script: str = ""
    line: int | None = None


@dataclass
class CodeListReference:
    """A field's reference to a genericode code list (codelisteReferenz)."""

    uri: str
    version: str
    version_uri: str
    fim_id: str = ""
    code_key: str = ""
    name_key: str = ""


@dataclass
class Value:
    """One entry of a 3.0.0 inline value list (werte/wert)."""

    code: str
    name: str
    help: str = ""


@dataclass
class Precision:
    """The praezisierung of a field: length and value bounds, and a pattern."""

    min_length: str = ""
    max_length: str = ""
    min_value: str = ""
    max_value: str = ""
    pattern: str = ""
    #: Anything else written there that the importer does not know (key, value).
    unknown: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Element:
    """A Stammdatenschema, Datenfeldgruppe or Datenfeld (``kind``: schema, group, field)."""

    kind: str
    fim_id: str
    version: str | None
    name: str
    label: str
    help: str = ""
    line: int | None = None
    rules: list[Rule] = field(default_factory=list)
    # groups and the schema
    children: list["Child"] = field(default_factory=list)
    #: Gruppenart (3.0.0): "X" is an Auswahlgruppe (fill exactly one of the children).
    group_kind: str = ""
    # fields
    input_kind: str = ""  # feldart: input, select, label, hidden, locked
    data_type: str = ""  # datentyp: text, date, bool, num, num_int, num_currency, file, …
    precision: Precision = field(default_factory=Precision)
    content: str = ""  # inhalt: prefilled value, or the text of a static field
    prefill: str = ""  # vorbefuellung (3.0.0): keine, optional, verpflichtend
    code_list: CodeListReference | None = None
    values: list[Value] = field(default_factory=list)
    max_size: str = ""
    media_types: list[str] = field(default_factory=list)


@dataclass
class Child:
    """An entry of a struktur: an element with how often it may occur (anzahl)."""

    element: Element
    min: int
    max: int | None
    line: int | None = None


@dataclass
class Message:
    """A whole XDatenfelder message, read."""

    xdf_version: str
    message_type: str  # e.g. "stammdatenschema.0102"
    root: Element  # the schema, or the single group or field the message carries
    status: str = ""
    status_label: str = ""
