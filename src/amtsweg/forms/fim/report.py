"""What the FIM importer tells its user: the refusal of an input, and notes on what it left out.

A refusal (``FimImportError``) names the file, the line, the XDatenfelder element and its FIM id,
so a service designer can find the spot in the schema. Notes (``ReportNote``) are collected in a
``Report`` while reading and mapping; each names the FIM element it is about.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

#: German names of the XDatenfelder element kinds, as the FIM portal shows them.
KIND_NAMES = {
    "schema": "Stammdatenschema",
    "group": "Datenfeldgruppe",
    "field": "Datenfeld",
    "rule": "Regel",
    "codelist": "Codeliste",
}


class FimImportError(ValueError):
    """The input cannot be imported; the message says what is wrong and where."""

    def __init__(
        self,
        problem: str,
        *,
        filename: str = "",
        line: int | None = None,
        element: str = "",
        fim_id: str = "",
    ) -> None:
        self.problem = problem
        self.filename = filename
        self.line = line
        self.element = element
        self.fim_id = fim_id
        super().__init__(str(self))

    def __str__(self) -> str:
        place = [self.filename] if self.filename else []
        if self.line:
            place.append(_("line %(line)d") % {"line": self.line})
        subject = " ".join(part for part in (self.element, self.fim_id) if part)
        text = f"{subject}: {self.problem}" if subject else self.problem
        return f"{', '.join(place)}: {text}" if place else text


@dataclass(frozen=True)
class Where:
    """The place in a file an error or note is about: file, line and the FIM element around it."""

    filename: str
    kind: str = ""
    fim_id: str = ""
    version: str | None = None
    line: int | None = None

    @property
    def element(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def error(self, problem: str, *, line: int | None = None) -> FimImportError:
        return FimImportError(
            problem,
            filename=self.filename,
            line=line or self.line,
            element=self.element,
            fim_id=self.fim_id,
        )


@dataclass(frozen=True)
class ReportNote:
    """One thing the importer did not understand or could not carry over, with its FIM id."""

    fim_id: str
    version: str | None
    element: str
    message: str
    occurrences: int = 1

    def __str__(self) -> str:
        subject = " ".join(part for part in (self.element, self.fim_id) if part)
        if self.version:
            subject = f"{subject} ({self.version})"
        text = f"{subject}: {self.message}" if subject else self.message
        if self.occurrences > 1:
            text += " " + _("(%(count)d times)") % {"count": self.occurrences}
        return text


@dataclass
class Report:
    """Notes collected during one import; the same note about the same element is kept once."""

    notes: dict[tuple[str, str, str | None, str], ReportNote] = field(default_factory=dict)

    def add(self, where: Where, message: str) -> None:
        element = where.element if where.kind else where.filename
        key = (element, where.fim_id, where.version, message)
        note = self.notes.get(key)
        count = note.occurrences + 1 if note else 1
        self.notes[key] = ReportNote(where.fim_id, where.version, element, message, count)

    def as_list(self) -> list[ReportNote]:
        return list(self.notes.values())
