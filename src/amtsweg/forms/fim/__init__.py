"""Import of FIM XDatenfelder schemas (2.0 and 3.0.0) into Amtsweg form definitions.

FIM (Föderales Informationsmanagement) publishes the data an administrative form collects as
XDatenfelder: a Stammdatenschema is a tree of Datenfeldgruppen and Datenfelder with Regeln and
genericode code lists. ``import_schema`` reads one (an XML file, or a ZIP with its code lists)
and returns the definition, a report of what it could not carry over, and the provenance.
"""

from amtsweg.forms.fim.importer import ImportResult, Provenance, import_schema
from amtsweg.forms.fim.mapping import FIELD_TYPES
from amtsweg.forms.fim.report import FimImportError, ReportNote

__all__ = [
    "FIELD_TYPES",
    "FimImportError",
    "ImportResult",
    "Provenance",
    "ReportNote",
    "import_schema",
]
