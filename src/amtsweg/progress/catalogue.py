"""Reading and loading the OZG catalogue (OZG-Leistungen with Themenfeld, Lebenslage and LeiKa
keys) from CSV files in the columns of the shipped ``data/ozg-leistungen.csv``.

Every file is read and checked completely before anything is written, and the writing is one
transaction with bulk statements: a bad file changes nothing, and the full catalogue (557
services, about 4,800 keys) loads in well under a second. Loading a newer catalogue over an
older one updates the services it lists and marks the others withdrawn; nothing is deleted,
so the progress recorded against a withdrawn service stays.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.catalog.models import Service
from amtsweg.progress.models import CatalogueLoad, OzgLeikaKey, OzgService

SHIPPED_CATALOGUE = Path(__file__).resolve().parent / "data" / "ozg-leistungen.csv"
REQUIRED_COLUMNS = ("ozg_id", "ozg_leistung", "themenfeld", "lebenslage", "leika_keys")
#: A real catalogue file is about 120 kB; anything far larger is not one.
MAX_FILE_BYTES = 20 * 1024 * 1024
OZG_ID = re.compile(r"[0-9]{1,10}")
LEIKA_KEY = re.compile(r"99[0-9]{12}")
BATCH = 500

Progress = Callable[[int], None]


class CatalogueError(Exception):
    """A catalogue file that cannot be loaded; the message names the file, line and reason."""


@dataclass(frozen=True)
class CatalogueRow:
    ozg_id: str
    name: str
    themenfeld: str
    lebenslage: str
    leika_keys: tuple[str, ...]


@dataclass(frozen=True)
class CatalogueFile:
    name: str
    sha256: str
    rows: list[CatalogueRow]


@dataclass
class LoadReport:
    """What a load changed; ``withdrawn`` lists (OZG ID, name, progress records kept)."""

    load: CatalogueLoad
    withdrawn: list[tuple[str, str, int]] = field(default_factory=list)
    services_filled: int = 0


def read_catalogue(path: Path) -> CatalogueFile:
    """Read and check one catalogue file; raises ``CatalogueError`` at the first problem."""
    name = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CatalogueError(_("%(file)s is too large for a catalogue file.") % {"file": name})
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogueError(
            _("%(file)s cannot be read: %(reason)s") % {"file": name, "reason": error.strerror}
        ) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogueError(
            _(
                "%(file)s is not UTF-8 text (invalid byte at position %(position)d). Save it "
                "as UTF-8 and load it again."
            )
            % {"file": name, "position": error.start}
        ) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError(
            _("%(file)s lacks the columns %(missing)s; a catalogue file needs %(required)s.")
            % {
                "file": name,
                "missing": ", ".join(missing),
                "required": ", ".join(REQUIRED_COLUMNS),
            }
        )
    try:
        rows = [_checked_row(name, reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise CatalogueError(
            _("%(file)s, line %(line)d: %(reason)s")
            % {"file": name, "line": reader.line_num, "reason": error}
        ) from error
    if not rows:
        raise CatalogueError(_("%(file)s lists no OZG services.") % {"file": name})
    return CatalogueFile(name, hashlib.sha256(raw).hexdigest(), rows)


def _checked_row(file: str, line: int, row: dict[str, str | None]) -> CatalogueRow:
    def problem(reason: str) -> CatalogueError:
        return CatalogueError(
            _("%(file)s, line %(line)d: %(reason)s")
            % {"file": file, "line": line, "reason": reason}
        )

    if None in row or any(row.get(column) is None for column in REQUIRED_COLUMNS):
        raise problem(_("the row does not have as many fields as the header."))
    values = {column: (row[column] or "").strip() for column in REQUIRED_COLUMNS}
    if not OZG_ID.fullmatch(values["ozg_id"]):
        raise problem(_("“%(value)s” is no OZG ID (digits only).") % {"value": values["ozg_id"]})
    for column, limit in (("ozg_leistung", 300), ("themenfeld", 200), ("lebenslage", 200)):
        if not values[column] or len(values[column]) > limit:
            raise problem(
                _("%(column)s must be filled in, with at most %(limit)d characters.")
                % {"column": column, "limit": limit}
            )
    keys = tuple(sorted(set(values["leika_keys"].split())))
    if wrong := [key for key in keys if not LEIKA_KEY.fullmatch(key)]:
        raise problem(
            _("“%(value)s” is no LeiKa key (14 digits starting with 99).") % {"value": wrong[0]}
        )
    return CatalogueRow(
        values["ozg_id"], values["ozg_leistung"], values["themenfeld"], values["lebenslage"], keys
    )


def combine(files: Iterable[CatalogueFile]) -> dict[str, CatalogueRow]:
    """The catalogue the files make together, by OZG ID; an OZG ID or a LeiKa key listed
    twice is refused, since the loader could only guess which one is meant."""
    rows: dict[str, CatalogueRow] = {}
    owner: dict[str, str] = {}
    for file in files:
        for row in file.rows:
            if row.ozg_id in rows:
                raise CatalogueError(
                    _("OZG ID %(ozg_id)s is listed twice (again in %(file)s).")
                    % {"ozg_id": row.ozg_id, "file": file.name}
                )
            rows[row.ozg_id] = row
            for key in row.leika_keys:
                if key in owner:
                    raise CatalogueError(
                        _("LeiKa key %(key)s is listed under OZG IDs %(first)s and %(second)s.")
                        % {"key": key, "first": owner[key], "second": row.ozg_id}
                    )
                owner[key] = row.ozg_id
    return rows


def load_catalogue(
    files: list[CatalogueFile], *, on_progress: Progress | None = None
) -> LoadReport:
    """Load the catalogue the ``files`` make together over what is stored, in one transaction.

    Services listed are added or updated (and reinstated if they were withdrawn); services not
    listed are marked withdrawn, never deleted, so their progress records stay. Their LeiKa
    keys stay too unless the new catalogue moves a key to another service, so a live offering
    of a withdrawn service still shows as online. ``catalog.Service`` rows with a listed LeiKa
    key get the Themenfeld, Lebenslage and OZG ID of their OZG-Leistung.
    """
    rows = combine(files)
    advance = on_progress or (lambda count: None)
    now = timezone.now()
    with transaction.atomic():
        load = CatalogueLoad.objects.create(
            files=[{"name": file.name, "sha256": file.sha256} for file in files]
        )
        services = _write_services(rows, load, now, advance)
        report = LoadReport(load=load, withdrawn=_withdraw(rows, load, now))
        _write_keys(rows, services)
        advance(len(rows))
        report.services_filled = _fill_catalog_services(rows)
        load.save()
        record_event(
            "progress.catalogue_loaded",
            load,
            actor_label="load_ozg_catalogue",
            data={
                "files": load.files,
                "added": load.added,
                "changed": load.changed,
                "withdrawn": [ozg_id for ozg_id, _name, _kept in report.withdrawn],
                "reinstated": load.reinstated,
            },
        )
    return report


def _write_services(
    rows: dict[str, CatalogueRow], load: CatalogueLoad, now: object, advance: Progress
) -> dict[str, OzgService]:
    """Create and update the listed services; returns every listed service by OZG ID."""
    stored = {service.ozg_id: service for service in OzgService.objects.all()}
    new, changed = [], []
    for row in rows.values():
        service = stored.get(row.ozg_id)
        if service is None:
            new.append(OzgService(**_service_fields(row)))
            continue
        fields = _service_fields(row)
        if service.withdrawn_at is not None:
            load.reinstated += 1
        elif all(getattr(service, name) == value for name, value in fields.items()):
            load.unchanged += 1
            continue
        for name, value in fields.items():
            setattr(service, name, value)
        service.withdrawn_at = None
        changed.append(service)
    OzgService.objects.bulk_create(new, batch_size=BATCH)
    OzgService.objects.bulk_update(
        changed, ["name", "themenfeld", "lebenslage", "withdrawn_at"], batch_size=BATCH
    )
    load.added, load.changed = len(new), len(changed) - load.reinstated
    advance(len(rows))
    # bulk_create sets primary keys on PostgreSQL but not on every SQLite build: read back.
    return {service.ozg_id: service for service in OzgService.objects.filter(ozg_id__in=rows)}


def _service_fields(row: CatalogueRow) -> dict[str, str]:
    return {
        "ozg_id": row.ozg_id,
        "name": row.name,
        "themenfeld": row.themenfeld,
        "lebenslage": row.lebenslage,
    }


def _withdraw(
    rows: dict[str, CatalogueRow], load: CatalogueLoad, now: object
) -> list[tuple[str, str, int]]:
    """Mark the services the catalogue no longer lists; returns them with their progress."""
    gone = (
        OzgService.objects.current()
        .exclude(ozg_id__in=rows)
        .annotate(kept=Count("progress"))
        .order_by("ozg_id")
    )
    withdrawn = [(service.ozg_id, service.name, service.kept) for service in gone]
    load.withdrawn = OzgService.objects.filter(
        ozg_id__in=[ozg_id for ozg_id, _name, _kept in withdrawn]
    ).update(withdrawn_at=now)
    return withdrawn


def _write_keys(rows: dict[str, CatalogueRow], services: dict[str, OzgService]) -> None:
    """Make the LeiKa keys of the listed services what the catalogue says."""
    wanted = {key: services[row.ozg_id].pk for row in rows.values() for key in row.leika_keys}
    listed = [service.pk for service in services.values()]
    stored = {key.leika_key: key for key in OzgLeikaKey.objects.all()}
    stale = [
        key.pk
        for name, key in stored.items()
        if key.ozg_service_id in listed and name not in wanted
    ]
    OzgLeikaKey.objects.filter(pk__in=stale).delete()
    moved = []
    for name, service_id in wanted.items():
        key = stored.get(name)
        if key is not None and key.ozg_service_id != service_id:
            key.ozg_service_id = service_id
            moved.append(key)
    OzgLeikaKey.objects.bulk_update(moved, ["ozg_service"], batch_size=BATCH)
    OzgLeikaKey.objects.bulk_create(
        [
            OzgLeikaKey(leika_key=name, ozg_service_id=service_id)
            for name, service_id in wanted.items()
            if name not in stored
        ],
        batch_size=BATCH,
    )


def _fill_catalog_services(rows: dict[str, CatalogueRow]) -> int:
    """Copy Themenfeld, Lebenslage and OZG ID to the ``catalog.Service`` rows of listed keys;
    returns how many changed."""
    by_key = {key: row for row in rows.values() for key in row.leika_keys}
    changed = []
    for service in Service.objects.filter(leika_key__in=by_key):
        row = by_key[service.leika_key]
        values = {"themenfeld": row.themenfeld, "lebenslage": row.lebenslage, "ozg_id": row.ozg_id}
        if any(getattr(service, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(service, name, value)
            changed.append(service)
    Service.objects.bulk_update(changed, ["themenfeld", "lebenslage", "ozg_id"], batch_size=BATCH)
    return len(changed)
