"""File uploads: the ``file`` field type.

A file field stores a list of attachment values, one per uploaded file::

    [{"id": "<attachment uuid>", "name": "antrag.pdf", "size": 123456,
      "type": "application/pdf", "sha256": "<64 hex digits>"}]

The forms engine never sees the files themselves. The step view hands the uploads to
``amtsweg.submissions.attachments.receive_uploads`` *before* validation; that stores them and
puts the JSON-encoded values into what the browser sent (kept files included, taken from the
database, not from the browser), so ``parse`` only decodes and checks values the server made.
``as_input`` gives the same JSON strings back, so stored answers round-trip through
``validation.to_raw`` like every other type. At submit, ``check_attachments`` makes sure every
value still names an attachment of that very submission.

Definition keys: ``accept`` (MIME types, default PDF/PNG/JPEG), ``max_files`` (default 1),
``max_size_mb`` (per file, default 10, never above the installation's
``AMTSWEG_MAX_UPLOAD_MB``).
"""

import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amtsweg.forms.registry import FieldError, FieldType, registry
from amtsweg.forms.text import localized

MEGABYTE = 1024 * 1024
DEFAULT_MAX_FILES = 1
DEFAULT_MAX_SIZE_MB = 10
#: More files than this in one field would be a designer's mistake (and a long request).
MAX_FILES = 20
VALUE_KEYS = frozenset({"id", "name", "size", "type", "sha256"})
#: What ``receive_uploads`` puts among the values when an upload was refused: the refusal
#: becomes the field's error through ``parse``, like any other problem with the field.
ERROR_KEY = "error"


@dataclass(frozen=True)
class FileKind:
    """A file type a form may accept: the label people know it by and its usual extensions."""

    label: str
    extensions: tuple[str, ...]


#: The types administrative uploads need; each is recognised by its first bytes
#: (``amtsweg.submissions.attachments.sniff_content_type``), never by its name.
FILE_TYPES: dict[str, FileKind] = {
    "application/pdf": FileKind("PDF", (".pdf",)),
    "image/png": FileKind("PNG", (".png",)),
    "image/jpeg": FileKind("JPEG", (".jpg", ".jpeg")),
}


def accepted_types(field: dict[str, Any]) -> list[str]:
    """The MIME types the field allows, in the order of ``FILE_TYPES``."""
    accept = field.get("accept")
    if not isinstance(accept, list) or not accept:
        return list(FILE_TYPES)
    return [mime for mime in FILE_TYPES if mime in accept]


def max_files(field: dict[str, Any]) -> int:
    count = field.get("max_files", DEFAULT_MAX_FILES)
    if isinstance(count, bool) or not isinstance(count, int):
        return DEFAULT_MAX_FILES
    return max(1, min(count, MAX_FILES))


def max_size_mb(field: dict[str, Any]) -> float:
    """The per-file limit in MB (1 MB = 1024 × 1024 bytes): the field's, within the cap."""
    size = field.get("max_size_mb", DEFAULT_MAX_SIZE_MB)
    if isinstance(size, bool) or not isinstance(size, int | float) or size <= 0:
        size = DEFAULT_MAX_SIZE_MB
    return min(size, settings.AMTSWEG_MAX_UPLOAD_MB)


def megabytes(size_mb: float) -> str:
    """A limit as people write it: "10", "2,5" (in the active language's number format)."""
    return number_format(int(size_mb) if float(size_mb).is_integer() else size_mb)


def megabytes_up(size: int) -> str:
    """A size in MB with one decimal, rounded up, so that a file just over a limit never
    reads as the limit itself ("10,1 MB", not "10,0 MB", for a limit of 10 MB)."""
    return number_format(math.ceil(size * 10 / MEGABYTE) / 10, decimal_pos=1)


def type_list(types: list[str]) -> str:
    """ "PDF, PNG or JPEG"."""
    labels = [FILE_TYPES[mime].label for mime in types if mime in FILE_TYPES]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def describe(value: dict[str, Any]) -> str:
    """One stored file for people: "antrag.pdf (1,2 MB)"."""
    return f"{value.get('name', '')} ({filesizeformat(value.get('size', 0))})"


def encode(value: dict[str, Any]) -> str:
    """A stored value as the hidden input carries it (and ``parse`` reads it)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def error_entry(message: str) -> str:
    return json.dumps({ERROR_KEY: message}, ensure_ascii=False)


def decode(entry: Any) -> dict[str, Any] | None:
    """A stored value from one sent string, or None when it is not one."""
    try:
        value = json.loads(entry) if isinstance(entry, str) else entry
    except ValueError:
        return None
    if not isinstance(value, dict) or set(value) != VALUE_KEYS:
        return None
    valid = (
        isinstance(value["id"], str)
        and isinstance(value["name"], str)
        and isinstance(value["size"], int)
        and not isinstance(value["size"], bool)
        and value["size"] >= 0
        and value["type"] in FILE_TYPES
        and isinstance(value["sha256"], str)
        and len(value["sha256"]) == 64
    )
    return value if valid else None


def _refusal(entry: Any) -> str | None:
    """The message of a refusal entry (see ``ERROR_KEY``), or None for anything else."""
    try:
        value = json.loads(entry) if isinstance(entry, str) else entry
    except ValueError:
        return None
    if isinstance(value, dict) and set(value) == {ERROR_KEY} and isinstance(value[ERROR_KEY], str):
        return value[ERROR_KEY]
    return None


def too_many_message(limit: int) -> str:
    return ngettext("Upload at most %(count)d file.", "Upload at most %(count)d files.", limit) % {
        "count": limit
    }


@registry.register
class FileUploadField(FieldType):
    """One or more uploaded files (``max_files``), checked by size and by content."""

    name = "file"
    template = "forms/fields/file.html"
    input_type = "file"
    #: Several values under one name: whoever binds what was sent should keep all of them.
    multiple: ClassVar[bool] = True

    def parse(self, field: dict[str, Any], raw: list[Any]) -> Any:
        files: list[dict[str, Any]] = []
        for entry in raw:
            if isinstance(entry, str) and not entry.strip():
                continue
            if refusal := _refusal(entry):
                raise FieldError(refusal)
            value = decode(entry)
            if value is None:
                raise FieldError(_("The uploaded files could not be read. Upload them again."))
            if value["id"] not in {file["id"] for file in files}:
                files.append(value)
        if len(files) > max_files(field):
            raise FieldError(too_many_message(max_files(field)))
        allowed = accepted_types(field)
        for file in files:
            if file["type"] not in allowed:
                raise FieldError(
                    _("The file “%(name)s” is not a %(types)s. Upload one of those types.")
                    % {"name": file["name"], "types": type_list(allowed)}
                )
        if not files:
            if field.get("required"):
                label = localized(field.get("label"))
                raise FieldError(_("Upload “%(label)s”.") % {"label": label})
            return None
        return files

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if not isinstance(value, list):
            return ""
        return "\n".join(describe(file) for file in value if isinstance(file, dict))

    def as_input(self, field: dict[str, Any], value: Any) -> list[str]:  # type: ignore[override]
        if not isinstance(value, list):
            return []
        return [encode(file) for file in value]

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        key, problems = field.get("key"), []
        count = field.get("max_files", DEFAULT_MAX_FILES)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_FILES:
            problems.append(f"Field {key!r} has max_files {count!r}; use 1 to {MAX_FILES}.")
        size = field.get("max_size_mb", DEFAULT_MAX_SIZE_MB)
        cap = settings.AMTSWEG_MAX_UPLOAD_MB
        if isinstance(size, bool) or not isinstance(size, int | float) or not 0 < size <= cap:
            problems.append(
                f"Field {key!r} has max_size_mb {size!r}; use a number above 0 and at most "
                f"{cap} (AMTSWEG_MAX_UPLOAD_MB)."
            )
        accept = field.get("accept", list(FILE_TYPES))
        if not isinstance(accept, list) or not accept:
            problems.append(f"Field {key!r} has an accept that is not a list of MIME types.")
        elif unknown := [mime for mime in accept if mime not in FILE_TYPES]:
            problems.append(
                f"Field {key!r} accepts unknown file types {unknown!r}; "
                f"known are {', '.join(FILE_TYPES)}."
            )
        return problems


@dataclass(frozen=True)
class UploadView:
    """What the template of a file field shows: the files already uploaded (with the JSON the
    hidden inputs carry), the ``accept`` attribute and the limits in words."""

    files: list[dict[str, Any]]
    accept: str
    multiple: bool
    limits: str


def upload_view(field: dict[str, Any], sent: str | list[str]) -> UploadView:
    """``sent`` is the bound field's value: one string or a list (a refusal entry among them
    is skipped; the field's error shows it)."""
    entries = [sent] if isinstance(sent, str) else list(sent or [])
    files = []
    for entry in entries:
        if (value := decode(entry)) is not None:
            files.append({**value, "json": encode(value), "text": describe(value)})
    types = accepted_types(field)
    count, size = max_files(field), megabytes(max_size_mb(field))
    if count == 1:
        limits = _("%(types)s, up to %(size)s MB.") % {"types": type_list(types), "size": size}
    else:
        limits = _("%(types)s, up to %(size)s MB per file, at most %(count)d files.") % {
            "types": type_list(types),
            "size": size,
            "count": count,
        }
    accept = ",".join(part for mime in types for part in (mime, *FILE_TYPES[mime].extensions))
    return UploadView(files=files, accept=accept, multiple=count > 1, limits=limits)
