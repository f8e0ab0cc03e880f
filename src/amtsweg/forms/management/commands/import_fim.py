"""``amtsweg import_fim FILE [--output OUT.json]``: a FIM XDatenfelder schema as a form definition.

Django names commands after their module, so the command is ``import_fim`` (the issue's
``amtsweg import-fim``). FILE is a schema XML file (XDatenfelder 2.0 or 3.0.0), a ZIP holding a
schema and its genericode code lists, or a folder holding the same; genericode files beside an
XML file (and in its subfolders) are read too. The report goes to stderr when the definition is
written to stdout, so the JSON can be piped; a refused input ends with exit status 1.
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amtsweg.forms.fim import FimImportError, ImportResult, import_schema


class Command(BaseCommand):
    help = (
        "Import a FIM XDatenfelder schema (2.0 or 3.0.0; an XML file, or a ZIP or folder with "
        "its genericode code lists) as a form definition: prints what could not be carried "
        "over and writes the definition as JSON. Usage: amtsweg import_fim FILE "
        "[--output OUT.json]"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="Schema XML file, ZIP archive or folder.")
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="Write the definition to this file instead of standard output.",
        )

    def handle(
        self, *args: Any, file: str | Path, output: str | Path | None = None, **options: Any
    ) -> None:
        file = Path(file)
        output = Path(output) if output else None
        if not file.exists():
            raise CommandError(_("%(file)s: no such file or folder.") % {"file": file})
        try:
            result = import_schema(file, str(file))
        except FimImportError as error:
            raise CommandError(_("Refused: %(error)s") % {"error": error}) from None
        report_stream = self.stdout if output else self.stderr
        report_stream.write(summary(result))
        text = json.dumps(result.definition, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be written: %(error)s")
                % {"file": output, "error": error.strerror or error}
            ) from None
        self.stdout.write(_("Definition written to %(file)s.") % {"file": output})


def summary(result: ImportResult) -> str:
    """What was imported and the report's notes, as plain text."""
    source = result.provenance
    lines = [
        _("Imported %(kind)s %(id)s version %(version)s “%(name)s” (XDatenfelder %(xdf)s).")
        % {
            "kind": source.message,
            "id": source.schema_id,
            "version": source.version or "–",
            "name": source.title,
            "xdf": source.xdf_version,
        }
    ]
    if result.report:
        lines.append(_("%(count)d notes:") % {"count": len(result.report)})
        lines.extend(f"- {note}" for note in result.report)
    else:
        lines.append(_("Everything was carried over."))
    return "\n".join(lines)
