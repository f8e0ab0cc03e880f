"""Reading untrusted FIM files safely: size limits, ZIP limits, and XML without DTDs or entities.

XML is parsed with the standard library's expat parser feeding an ElementTree builder. Any
document type declaration (``<!DOCTYPE``) or entity declaration is refused as soon as the parser
meets it, so neither entity expansion ("billion laughs") nor external entities (file or network
access) can happen; XDatenfelder and genericode files never need either. Inputs are refused
before parsing when they exceed ``MAX_INPUT_BYTES``; a ZIP archive is refused when it holds more
than ``MAX_ZIP_MEMBERS`` entries or more than ``MAX_ZIP_TOTAL_BYTES`` once unpacked (checked on
the declared sizes first and again while reading, as the declared sizes may lie).
"""

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _

from amtsweg.forms.fim.report import FimImportError

MAX_INPUT_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_ZIP_TOTAL_BYTES = 50 * 1024 * 1024
MAX_XML_DEPTH = 200
#: How many files of a folder (or beside a schema file) are looked at for code lists.
MAX_FOLDER_FILES = 200

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class SourceElement(ET.Element):
    """An XML element that remembers the line it starts on, for error messages."""

    sourceline: int = 0


@dataclass(frozen=True)
class RawFile:
    """The bytes of one file of the input: the named file, a ZIP member or a folder's file."""

    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    return data[:4] in _ZIP_MAGIC


def looks_like_xml(data: bytes) -> bool:
    head = data[:1024]
    return head.startswith(_BOMS) or head.lstrip().startswith(b"<")


def read_path(path: Path, name: str) -> bytes:
    """The bytes of a file, refused before reading when it is larger than the input limit."""
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise _too_large(name, size)
        with path.open("rb") as stream:
            data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise FimImportError(
            _("The file cannot be read: %(error)s") % {"error": error.strerror or error},
            filename=name,
        ) from None
    check_size(data, name)
    return data


def check_size(data: bytes, name: str) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(name, len(data))


def _too_large(name: str, size: int) -> FimImportError:
    return FimImportError(
        _("The input is %(size)s MB; at most %(limit)s MB are accepted.")
        % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_INPUT_BYTES // 1024 // 1024},
        filename=name,
    )


def read_zip(data: bytes, name: str) -> list[RawFile]:
    """The files in a ZIP archive (directories left out), within the archive limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise FimImportError(_("This is not a readable ZIP archive."), filename=name) from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise FimImportError(
                _("The archive holds %(count)d files; at most %(limit)d are accepted.")
                % {"count": len(infos), "limit": MAX_ZIP_MEMBERS},
                filename=name,
            )
        declared = sum(info.file_size for info in infos)
        if declared > MAX_ZIP_TOTAL_BYTES:
            raise _archive_too_large(name, declared)
        files: list[RawFile] = []
        total = 0
        for info in infos:
            member = f"{name}:{info.filename}"
            if info.flag_bits & 0x1:
                raise FimImportError(
                    _("Encrypted archive members are not accepted."), filename=member
                )
            if info.file_size > MAX_INPUT_BYTES:
                raise _too_large(member, info.file_size)
            try:
                with archive.open(info) as stream:
                    content = stream.read(MAX_INPUT_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
                raise FimImportError(
                    _("This archive member cannot be unpacked (damaged or unsupported)."),
                    filename=member,
                ) from None
            check_size(content, member)
            total += len(content)
            if total > MAX_ZIP_TOTAL_BYTES:
                raise _archive_too_large(name, total)
            files.append(RawFile(info.filename, content))
    return files


def _archive_too_large(name: str, size: int) -> FimImportError:
    return FimImportError(
        _("The archive unpacks to more than %(limit)d MB (%(size)s MB); refused.")
        % {"limit": MAX_ZIP_TOTAL_BYTES // 1024 // 1024, "size": f"{size / 1024 / 1024:.1f}"},
        filename=name,
    )


def folder_files(folder: Path, *, depth: int = 2, sniff: bytes = b"") -> list[Path]:
    """The ``.xml`` files in ``folder`` and its subfolders down to ``depth`` levels.

    Symbolic links are left out, and so are files whose first kilobytes do not contain
    ``sniff`` (when given). At most ``MAX_FOLDER_FILES`` files are returned.
    """
    found: list[Path] = []
    pending = [(folder, 1)]
    while pending and len(found) < MAX_FOLDER_FILES:
        current, level = pending.pop(0)
        try:
            entries = sorted(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir() and level < depth:
                pending.append((entry, level + 1))
            elif entry.is_file() and entry.suffix.lower() == ".xml":
                if sniff and not _head_contains(entry, sniff):
                    continue
                found.append(entry)
                if len(found) >= MAX_FOLDER_FILES:
                    break
    return found


def _head_contains(path: Path, needle: bytes) -> bool:
    try:
        with path.open("rb") as stream:
            return needle in stream.read(4096)
    except OSError:
        return False


def parse_xml(data: bytes, name: str) -> SourceElement:
    """Parse an XML document, refusing DTDs, entity declarations and overly deep nesting."""
    check_size(data, name)
    if not looks_like_xml(data):
        raise FimImportError(_("This is neither an XML file nor a ZIP archive."), filename=name)
    builder = ET.TreeBuilder(element_factory=SourceElement)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    depth = 0

    def refuse(problem: str) -> NoReturn:
        raise FimImportError(problem, filename=name, line=parser.CurrentLineNumber)

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            refuse(
                _("The XML is nested more than %(limit)d levels deep.") % {"limit": MAX_XML_DEPTH}
            )
        element = builder.start(
            _qualified(tag), {_qualified(key): value for key, value in attributes.items()}
        )
        element.sourceline = parser.CurrentLineNumber  # type: ignore[attr-defined]

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_qualified(tag))

    def doctype(*_args: object) -> None:
        refuse(
            _(
                "The XML contains a document type declaration (<!DOCTYPE>); such files are "
                "refused because entity declarations can make a parser expand or fetch data."
            )
        )

    def entity(*_args: object) -> None:
        refuse(_("The XML declares entities (<!ENTITY>); such files are refused."))

    def external(*_args: object) -> int:
        refuse(_("The XML refers to an external entity; such files are refused."))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.NotationDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise FimImportError(
            _("The XML is not well-formed: %(problem)s (column %(column)d).")
            % {
                "problem": expat.errors.messages.get(error.code, str(error)),
                "column": error.offset,
            },
            filename=name,
            line=error.lineno,
        ) from None
    except (LookupError, ValueError, UnicodeError) as error:
        raise FimImportError(
            _("The XML cannot be decoded: %(problem)s.") % {"problem": error},
            filename=name,
            line=parser.CurrentLineNumber,
        ) from None
    root = builder.close()
    if not isinstance(root, SourceElement):
        raise FimImportError(_("The XML document has no root element."), filename=name)
    return root


def _qualified(tag: str) -> str:
    """expat's ``uri}local`` as ElementTree's ``{uri}local``."""
    return "{" + tag if "}" in tag else tag


def split_tag(tag: str) -> tuple[str, str]:
    """``{uri}local`` as (uri, local); a tag without namespace has the empty uri."""
    if tag.startswith("{"):
        uri, _sep, local = tag[1:].partition("}")
        return uri, local
    return "", tag
