"""Importing an XDatenfelder schema: from the input's bytes to a form definition and a report.

The input is an XML file (a Stammdatenschema 0102, a Datenfeldgruppe 0103 or a Datenfeld 0104
message, XDatenfelder 2.0 or 3.0.0), a ZIP archive holding one such message and its genericode
code lists, or a folder holding the same. For a schema file given as a path, genericode files
in its folder and the folder's subfolders (such as ``codelisten/``) are read as well.
"""

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from amtsweg.forms.fim import xdf2, xdf3
from amtsweg.forms.fim.genericode import NAMESPACE as GENERICODE_NAMESPACE
from amtsweg.forms.fim.genericode import CodeList, CodeListIndex, code_lists_in
from amtsweg.forms.fim.mapping import Mapper
from amtsweg.forms.fim.parse import (
    MAX_ZIP_TOTAL_BYTES,
    RawFile,
    SourceElement,
    check_size,
    folder_files,
    is_zip,
    looks_like_xml,
    parse_xml,
    read_path,
    read_zip,
    split_tag,
)
from amtsweg.forms.fim.reader import MESSAGES, XdfReader
from amtsweg.forms.fim.report import FimImportError, Report, ReportNote, Where

READERS: dict[str, type[XdfReader]] = {
    xdf2.NAMESPACE: xdf2.XdfReader2,
    xdf3.NAMESPACE: xdf3.XdfReader3,
}
XDF_NAMESPACE_PREFIX = "urn:xoev-de:fim:standard:xdatenfelder"


@dataclass(frozen=True)
class Provenance:
    """Where a definition came from: the FIM element imported and its standard's version."""

    schema_id: str
    version: str | None
    name: str
    title: str
    xdf_version: str
    message: str
    status: str
    filename: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportResult:
    definition: dict[str, Any]
    report: list[ReportNote]
    provenance: Provenance


@dataclass
class _Document:
    name: str
    root: SourceElement


def import_schema(source: bytes | Path, filename: str) -> ImportResult:
    """Import an XDatenfelder schema into a form definition; raise ``FimImportError`` when the
    input cannot be imported (the message names the file, element, id and problem)."""
    report = Report()
    documents = _documents(source, filename, report)
    schema, code_lists = _pick_schema(documents, filename, report)
    if isinstance(source, Path) and source.is_file():
        code_lists.extend(_neighbouring_code_lists(source, report))
    reader = _reader_for(schema, report)
    message = reader.read(schema.root)
    definition = Mapper(schema.name, report, CodeListIndex(code_lists)).definition(message)
    root = message.root
    provenance = Provenance(
        schema_id=root.fim_id,
        version=root.version,
        name=root.name,
        title=root.label,
        xdf_version=message.xdf_version,
        message=message.message_type,
        status=message.status_label,
        filename=schema.name,
    )
    return ImportResult(definition=definition, report=report.as_list(), provenance=provenance)


def _documents(source: bytes | Path, filename: str, report: Report) -> list[_Document]:
    """The input's XML documents; a single file stands alone, archives and folders may hold
    more (files that are not XML are noted and skipped)."""
    separator = ":"
    if isinstance(source, Path) and source.is_dir():
        files = _folder(source, filename)
        separator = "/"
    else:
        data = read_path(source, filename) if isinstance(source, Path) else bytes(source)
        check_size(data, filename)
        if not is_zip(data):
            return [_Document(filename, parse_xml(data, filename))]
        files = read_zip(data, filename)
    documents = []
    for file in files:
        name = f"{filename}{separator}{file.name}"
        if file.name.lower().endswith(".zip") or is_zip(file.data):
            report.add(Where(name), _("Archives inside the archive are not opened."))
        elif not looks_like_xml(file.data):
            report.add(Where(name), _("Not an XML file; skipped."))
        else:
            documents.append(_Document(name, parse_xml(file.data, name)))
    return documents


def _folder(folder: Path, filename: str) -> list[RawFile]:
    files = []
    total = 0
    for path in folder_files(folder):
        name = str(path.relative_to(folder))
        data = read_path(path, f"{filename}/{name}")
        total += len(data)
        if total > MAX_ZIP_TOTAL_BYTES:
            raise FimImportError(
                _("The folder's XML files are larger than %(limit)d MB together; refused.")
                % {"limit": MAX_ZIP_TOTAL_BYTES // 1024 // 1024},
                filename=filename,
            )
        files.append(RawFile(name, data))
    return files


def _is_schema(root: SourceElement) -> bool:
    uri, local = split_tag(root.tag)
    return uri.startswith(XDF_NAMESPACE_PREFIX) and (local in MESSAGES or uri not in READERS)


def _pick_schema(
    documents: list[_Document], filename: str, report: Report
) -> tuple[_Document, list[CodeList]]:
    """The one schema among the documents, and the code lists found beside it."""
    if len(documents) == 1 and documents[0].name == filename:
        return documents[0], []
    schemas = [document for document in documents if _is_schema(document.root)]
    code_lists: list[CodeList] = []
    for document in documents:
        if document in schemas:
            continue
        found = code_lists_in(document.root, document.name)
        if found:
            code_lists.extend(found)
        else:
            report.add(
                Where(document.name),
                _("Neither a schema nor a code list (root element <%(tag)s>); skipped.")
                % {"tag": split_tag(document.root.tag)[1]},
            )
    if not schemas:
        raise FimImportError(
            _("No XDatenfelder schema (Stammdatenschema, Datenfeldgruppe or Datenfeld) found."),
            filename=filename,
        )
    if len(schemas) > 1:
        full = [s for s in schemas if split_tag(s.root.tag)[1].endswith("stammdatenschema.0102")]
        if len(full) != 1:
            raise FimImportError(
                _("It holds several schemas (%(names)s); import them one at a time.")
                % {"names": ", ".join(schema.name for schema in schemas)},
                filename=filename,
            )
        for other in schemas:
            if other is not full[0]:
                report.add(Where(other.name), _("A further schema message; not imported."))
        return full[0], code_lists
    return schemas[0], code_lists


def _neighbouring_code_lists(path: Path, report: Report) -> list[CodeList]:
    """Genericode files in the schema file's folder and its subfolders (``codelisten/``)."""
    found: list[CodeList] = []
    total = 0
    for candidate in folder_files(path.parent, sniff=b"genericode"):
        if candidate == path:
            continue
        name = str(candidate)
        try:
            data = read_path(candidate, name)
            total += len(data)
            if total > MAX_ZIP_TOTAL_BYTES:
                break
            found.extend(code_lists_in(parse_xml(data, name), name))
        except FimImportError as error:
            report.add(Where(name), _("Code list file skipped: %(error)s") % {"error": error})
    return found


def _reader_for(document: _Document, report: Report) -> XdfReader:
    uri, local = split_tag(document.root.tag)
    if uri in READERS:
        return READERS[uri](document.name, report)
    where = Where(document.name, line=document.root.sourceline)
    if uri.startswith(XDF_NAMESPACE_PREFIX):
        raise where.error(
            _(
                "The namespace %(uri)s is no XDatenfelder version this importer knows "
                "(it reads %(known)s)."
            )
            % {"uri": uri, "known": ", ".join(READERS)}
        )
    if uri == GENERICODE_NAMESPACE:
        raise where.error(
            _(
                "This is a genericode code list, not a schema; import the schema (with its "
                "code lists in a ZIP file)."
            )
        )
    raise where.error(
        _(
            "This is no XDatenfelder file: the root element is <%(tag)s> in the namespace "
            "“%(uri)s”."
        )
        % {"tag": local, "uri": uri or "–"}
    )
