"""Uploaded files (Anlagen): checked, stored through Django's storage API, and tied to their
submission.

Every upload is checked for size, type and count before anything is stored (DESIGN.md, rule
3). The type is decided by the file's first bytes, never by its name or by the type the browser
claims: a PNG called "scan.pdf" is a PNG, and an ".exe" renamed to ".pdf" is refused. Files are
read in chunks, so a large upload never sits in memory, and the check stops at the first chunk
past the limit. Files live in the storage (local disk or S3-compatible) under a path made of
UUIDs; the applicant's file name is only shown, never used as a path.

The flow in the online assistant: the step view calls ``receive_uploads`` before validating;
it stores new uploads and replaces what the browser sent for each file field with values taken
from the database, so the forms engine only ever sees values the server made. At submit,
``check_attachments`` confirms that every value in the data still names an attachment of that
very submission, unchanged.
"""

import hashlib
import logging
import math
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from amtsweg.forms.definition import is_group, walk
from amtsweg.forms.field_types.files import (
    FILE_TYPES,
    MEGABYTE,
    accepted_types,
    decode,
    encode,
    error_entry,
    max_files,
    max_size_mb,
    megabytes,
    megabytes_up,
    too_many_message,
    type_list,
)
from amtsweg.forms.registry import FieldError
from amtsweg.forms.services import item_count
from amtsweg.lib.rows import rows_referring
from amtsweg.submissions.models import Attachment, Submission

logger = logging.getLogger(__name__)

FILE_TYPE = "file"
#: The checkbox that removes an uploaded file is named ``<field name>.__remove``.
REMOVE_SUFFIX = "__remove"
CHUNK_SIZE = 64 * 1024
MAX_NAME_LENGTH = 200

#: The first bytes of each accepted type (see ``FILE_TYPES``).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def sniff_content_type(first_bytes: bytes) -> str | None:
    """The MIME type the file's first bytes show, or None for anything we do not accept.

    Only the common types of administrative uploads are known (PDF, PNG, JPEG): office
    documents would need a look inside their ZIP container, and anything unknown is refused.
    """
    for mime, signatures in SIGNATURES.items():
        if first_bytes.startswith(signatures):
            return mime
    return None


def display_name(filename: str) -> str:
    """The applicant's file name, safe to show and to put in a header: no directories, no
    control or direction-changing characters, at most 200 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char for char in name
    )
    name = " ".join(name.split()).strip(" .") or _("file")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def download_name(attachment: Attachment) -> str:
    """The name a download is saved under: the shown name, with the extension of the type the
    content really has (a PNG uploaded as "scan.pdf" downloads as "scan.png")."""
    kind = FILE_TYPES.get(attachment.content_type)
    name = attachment.original_name
    if kind is None or name.lower().endswith(kind.extensions):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}{kind.extensions[0]}"


def store_uploads(
    draft: Submission,
    field: dict[str, Any],
    name: str,
    files: list[UploadedFile],
    *,
    kept: int = 0,
) -> list[dict[str, Any]]:
    """Check and store new uploads for the file field ``field`` (HTML name ``name``) of a
    draft; return their stored values. ``kept`` counts the files the field holds already.

    All files are checked before any is stored, so a refused file leaves nothing behind; a
    failure while storing removes what this call stored. The files are written before the
    transaction that records them, so no database lock is held while bytes travel to the
    storage. Raises ``FieldError`` with a message that names the file and what to do.
    """
    if not files:
        return []
    limit = max_files(field)
    if kept + len(files) > limit:
        raise FieldError(too_many_message(limit))
    checked = [(upload, _check(field, upload)) for upload in files]
    stored: list[Attachment] = []
    try:
        for upload, facts in checked:
            attachment = Attachment(submission=draft, field_path=name, **facts)
            upload.seek(0)
            attachment.file.save(attachment.uuid.hex, upload, save=False)
            stored.append(attachment)
        with transaction.atomic():
            for attachment in stored:
                attachment.save()
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return [attachment.as_value() for attachment in stored]


def _check(field: dict[str, Any], upload: UploadedFile) -> dict[str, Any]:
    """Size, type (by content), virus check; the facts the attachment row keeps."""
    shown = display_name(upload.name or "")
    limit_mb = max_size_mb(field)
    limit = math.floor(limit_mb * MEGABYTE)
    if upload.size is not None and upload.size > limit:
        raise _too_big(shown, upload.size, limit_mb)
    allowed = accepted_types(field)
    digest = hashlib.sha256()
    size, content_type = 0, None
    upload.seek(0)
    for chunk in upload.chunks(CHUNK_SIZE):
        if size == 0:
            content_type = sniff_content_type(chunk)
            if content_type not in allowed:
                raise _wrong_type(shown, allowed)
        size += len(chunk)
        if size > limit:  # the announced size was wrong; stop reading here
            raise _too_big(shown, max(size, upload.size or 0), limit_mb)
        digest.update(chunk)
    if size == 0:
        raise FieldError(_("The file “%(name)s” is empty.") % {"name": shown})
    _scan(upload, shown)
    return {
        "original_name": shown,
        "content_type": content_type,
        "size": size,
        "sha256": digest.hexdigest(),
    }


def check_upload(
    upload: UploadedFile, *, accepted: list[str], max_size_mb: float
) -> dict[str, Any]:
    """The same checks as a form's file field (size, type by content, virus scan) for uploads
    outside the online assistant, e.g. an answer in the citizen's mailbox: the facts an
    attachment row keeps, or ``FieldError`` naming the file and what to do."""
    return _check({"accept": accepted, "max_size_mb": max_size_mb}, upload)


def _too_big(name: str, size: int, limit_mb: float) -> FieldError:
    return FieldError(
        _("The file “%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
        % {"name": name, "size": megabytes_up(size), "limit": megabytes(limit_mb)}
    )


def _wrong_type(name: str, allowed: list[str]) -> FieldError:
    if len(allowed) == 1:
        message = _("The file “%(name)s” is not a %(types)s. Upload a %(types)s file.")
    else:
        message = _("The file “%(name)s” is not a %(types)s. Upload one of those types.")
    return FieldError(message % {"name": name, "types": type_list(allowed)})


def _scan(upload: UploadedFile, name: str) -> None:
    """Run the configured virus scanner (``AMTSWEG_VIRUS_SCANNER``: a dotted path to
    ``scan(file) -> None | reason``). A scanner that fails refuses the file: an unchecked file
    must not reach a clerk."""
    path = settings.AMTSWEG_VIRUS_SCANNER
    if not path:
        return
    upload.seek(0)
    try:
        reason = import_string(path)(upload)
    except Exception:
        logger.exception("Virus scanner %s failed on an upload", path)
        raise FieldError(
            _(
                "The file “%(name)s” could not be checked for viruses just now. "
                "Try again in a few minutes."
            )
            % {"name": name}
        ) from None
    if reason:
        raise FieldError(
            _("The virus check refused the file “%(name)s”: %(reason)s. Upload a clean copy.")
            % {"name": name, "reason": reason}
        )


def file_fields(
    items: list[dict[str, Any]], raw: dict[str, list[str]], prefix: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every file field below ``items`` with its HTML name, entries of repeatable groups
    included ("dogs.0.photo"), named as ``forms.validation`` names them."""
    for item in items:
        name = f"{prefix}{item['key']}"
        if is_group(item):
            children = item.get("fields", [])
            if item.get("repeatable"):
                for index in range(item_count(item, raw, name)):
                    yield from file_fields(children, raw, f"{name}.{index}.")
            else:
                yield from file_fields(children, raw, f"{name}.")
        elif item.get("type") == FILE_TYPE:
            yield name, item


def asks_for_files(step: dict[str, Any]) -> bool:
    """Whether the step has a file field, in a group or not. Only such a step's form is sent
    as multipart/form-data, whose parser costs the server several times the CPU of a plain
    form's (issue 9)."""
    return any(item.get("type") == FILE_TYPE for _, item in walk(step.get("fields", [])))


def receive_uploads(
    draft: Submission,
    step: dict[str, Any],
    raw: dict[str, list[str]],
    files: MultiValueDict[str, UploadedFile],
) -> None:
    """Prepare ``raw`` (HTML name → sent strings) of a step for validation: for each file
    field, keep the files uploaded earlier (unless ticked for removal), store the new ones,
    and put their values into ``raw[name]`` as JSON. A refused upload becomes the field's
    error (see ``files.ERROR_KEY``) and the earlier files stay.

    Kept files are looked up among the draft's own attachments; what the browser claims about
    them is ignored, so another draft's file cannot be smuggled in.
    """
    for name, field in file_fields(step.get("fields", []), raw):
        removed = set(raw.pop(f"{name}.{REMOVE_SUFFIX}", []))
        wanted = [key for key in map(_attachment_id, raw.get(name, [])) if key]
        looked_up = [key for key in wanted if key not in removed]
        rows = (  # no query to build where no file is kept (most POSTs of such a step)
            {
                str(row.uuid): row
                for row in Attachment.objects.filter(submission=draft, uuid__in=looked_up)
            }
            if looked_up
            else {}
        )
        kept = [rows[key].as_value() for key in dict.fromkeys(wanted) if key in rows]
        uploads = [upload for upload in files.getlist(name) if upload.name]
        if uploads and max_files(field) == 1:
            kept = []  # a new file for a one-file field replaces the old one
        try:
            kept += store_uploads(draft, field, name, uploads, kept=len(kept))
            raw[name] = [encode(value) for value in kept]
        except FieldError as refused:
            raw[name] = [*(encode(value) for value in kept), error_entry(str(refused))]


def _attachment_id(entry: str) -> str | None:
    """The attachment UUID in a sent value: a stored value's JSON, or a bare UUID."""
    value = decode(entry)
    candidate = value["id"] if value else entry
    try:
        return str(uuid.UUID(str(candidate).strip()))
    except ValueError:
        return None


def check_attachments(submission: Submission) -> dict[str, str]:
    """Problems with the file values of a submission's data (HTML name → message): each must
    be an attachment of this submission with the same name, type, size and SHA-256.

    Called by ``submit_application`` inside its transaction (``submit_data`` before storing
    its new row, which cannot name an upload of its own). When all is well, attachments the
    data no longer names (removed or replaced by the applicant) are deleted, so only what was
    submitted is kept; a rolled-back submit keeps them.
    """
    definition = submission.solution_version.form_definition
    rows = (  # a submission not yet stored (the API's) has no attachments: no query
        {}
        if submission._state.adding
        else {str(r.uuid): r for r in rows_referring(Attachment, "submission", submission)}
    )
    problems: dict[str, str] = {}
    referenced: set[str] = set()
    for step in definition["steps"]:
        for path, values in _file_values(step.get("fields", []), submission.data, ""):
            for value in values if isinstance(values, list) else [values]:
                file_id = str(value.get("id")) if isinstance(value, dict) else ""
                row = rows.get(file_id)
                if row is None or row.as_value() != value:
                    name = value.get("name") if isinstance(value, dict) else None
                    problems[path] = _(
                        "The file “%(name)s” does not belong to this application. Upload it again."
                    ) % {"name": display_name(str(name or ""))}
                else:
                    referenced.add(file_id)
    if not problems:
        for key, row in rows.items():
            if key not in referenced:
                row.delete()
    return problems


def _file_values(items: list[dict[str, Any]], data: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(HTML name, stored value) of every answered file field in ``data``."""
    if not isinstance(data, dict):
        return
    for item in items:
        name, value = f"{prefix}{item['key']}", data.get(item["key"])
        if value is None:
            continue
        if is_group(item):
            children = item.get("fields", [])
            if item.get("repeatable") and isinstance(value, list):
                for index, entry in enumerate(value):
                    yield from _file_values(children, entry, f"{name}.{index}.")
            else:
                yield from _file_values(children, value, f"{name}.")
        elif item.get("type") == FILE_TYPE:
            yield name, value


def attachments_of(submission: Submission) -> list[Attachment]:
    """The submission's attachments in upload order, for the case view."""
    return list(submission.attachments.all())


def get_attachment(submission: Submission, attachment_uuid: object) -> Attachment:
    """One attachment of ``submission``; 404 for any other (another submission's included)."""
    try:
        return Attachment.objects.get(submission=submission, uuid=attachment_uuid)
    except (Attachment.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such attachment.")) from None
