"""Portable solution packages: one published version as one JSON file, to carry a solution
to another Amtsweg installation with its provenance.

A package is ``{"format", "format_version", "checksum", "content"}``; ``content`` holds the
provenance (source installation, publisher AGS/ARS, solution uuid, version), the service, the
solution and the version. The checksum is the SHA-256 of the canonical JSON of ``content``, so
a changed byte anywhere in it is noticed. The JSON Schema ``schema/solution-package.schema.json``
ships with the code and describes the format for other tools.

Importing refuses, with a message that says why, and writes nothing: a file that is too large,
not JSON, does not match the schema, fails the checksum, holds a form or workflow this
installation cannot run, or a version that is here already.

The importing municipality becomes the publisher of the imported copy (the provenance still
names the original publisher, for display), so nobody can publish here in another
municipality's name. A new version joins an imported solution only when the importer is its
publisher here. An imported version goes into review, and another designer or admin of the
importer approves it (four eyes), unless the operator's command says ``--publish``. A required
update's deadline in the file is not taken over: whether adopters here must switch is the local
publisher's decision; the file's deadline and reason stay in the version's provenance.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.catalog.adoption import free_slug
from amtsweg.catalog.models import Service, Solution, SolutionVersion, VersionStatus
from amtsweg.catalog.versions import DESIGNING_ROLES
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import has_role

FORMAT = "amtsweg-solution-package"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "solution-package.schema.json"
#: The largest package accepted; real ones are a few hundred kilobytes at most.
MAX_PACKAGE_BYTES = 5 * 1024 * 1024
VERSION_FIELDS = (
    "trust_level",
    "processing_days",
    "retention_days",
    "retention_days_by_result",
    "workflow",
    "licence",
    "release_notes",
    "options",
    "required_reason",
)
#: What an import takes over; a required update's reason is the local publisher's to give.
LOCAL_FIELDS = tuple(name for name in VERSION_FIELDS if name != "required_reason")
SERVICE_FIELDS = ("name", "description", "ozg_id", "legal_basis", "themenfeld", "lebenslage")


class PackageRefused(Exception):
    """A package that is not imported; the message says why, in the user's language."""


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes the checksum is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def checksum(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def package_content(version: SolutionVersion) -> dict[str, Any]:
    """What a package of ``version`` carries (see the module docstring)."""
    solution, service = version.solution, version.solution.service
    publisher = solution.publisher
    origin = solution.provenance or {}
    forked = solution.forked_from
    return {
        "provenance": {
            "installation": origin.get("installation", settings.BASE_URL),
            "exported_at": timezone.now().isoformat(),
            "publisher": origin.get("publisher")
            or {"ags": publisher.ags, "ars": publisher.ars, "name": publisher.short_name},
            "solution_uuid": str(solution.uuid),
            "version": version.number,
            "published_at": version.published_at.isoformat() if version.published_at else None,
            "forked_from": {"solution_uuid": str(forked.solution.uuid), "version": forked.number}
            if forked
            else None,
            "imported_from": {"installation": origin["installation"]} if origin else None,
        },
        "service": {"leika_key": service.leika_key}
        | {name: getattr(service, name) for name in SERVICE_FIELDS},
        "solution": {
            "uuid": str(solution.uuid),
            "name": solution.name,
            "slug": solution.slug,
            "summary": solution.summary,
        },
        "version": {"number": version.number, "form_definition": version.form_definition}
        | {name: getattr(version, name) for name in VERSION_FIELDS}
        | {
            "fee": _money(version.fee),
            "fee_min": _money(version.fee_min),
            "fee_max": _money(version.fee_max),
            "required_by": version.required_by.isoformat() if version.required_by else None,
        },
    }


def export_package(version: SolutionVersion) -> bytes:
    """The package of a published version as the bytes of one JSON file."""
    if version.status != VersionStatus.PUBLISHED:
        raise PackageRefused(_("Only a published version can be exported."))
    content = package_content(version)
    package = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "checksum": {"algorithm": "sha256", "value": checksum(content)},
        "content": content,
    }
    return json.dumps(package, ensure_ascii=False, indent=2).encode()


def package_filename(version: SolutionVersion) -> str:
    return f"{version.solution.slug}-v{version.number}.amtsweg.json"


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def read_package(data: bytes) -> dict[str, Any]:
    """The checked ``content`` of a package file; ``PackageRefused`` for a file too large, not
    JSON, not matching the schema, or failing its checksum."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise PackageRefused(
            _("The file is larger than %(limit)d MB; a solution package is much smaller.")
            % {"limit": MAX_PACKAGE_BYTES // 1024 // 1024}
        )
    try:
        package = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # also a number beyond Python's int digit limit
        raise PackageRefused(_("The file is damaged: it is not valid JSON text.")) from None
    errors = sorted(_validator().iter_errors(package), key=lambda error: list(error.path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "/"
        raise PackageRefused(
            _("The file is not a valid solution package: at %(where)s, %(problem)s.")
            % {"where": where, "problem": first.message[:200]}
        )
    content = package["content"]
    if checksum(content) != package["checksum"]["value"]:
        raise PackageRefused(
            _(
                "The file has been changed since it was exported: its checksum does not match "
                "its content. Ask the publisher for the original file."
            )
        )
    if content["solution"]["uuid"] != content["provenance"]["solution_uuid"] or (
        content["version"]["number"] != content["provenance"]["version"]
    ):
        raise PackageRefused(_("The package's provenance does not match its content."))
    return content


@dataclass(frozen=True)
class ImportedPackage:
    version: SolutionVersion
    created_solution: bool


def _service(content: dict[str, Any]) -> Service:
    data = content["service"]
    service = Service.objects.filter(leika_key=data["leika_key"]).first()
    if service is not None:
        return service
    service = Service(leika_key=data["leika_key"], **{k: data.get(k, "") for k in SERVICE_FIELDS})
    service.full_clean()
    service.save()
    return service


def _solution(content: dict[str, Any], publisher: Municipality) -> tuple[Solution, bool]:
    data, provenance = content["solution"], content["provenance"]
    solution = Solution.objects.filter(uuid=data["uuid"]).first()
    if solution is not None:
        if not solution.provenance:
            raise PackageRefused(
                _("This installation is where the solution was published; nothing to import.")
            )
        if solution.publisher_id != publisher.pk:
            raise PackageRefused(
                _(
                    "“%(name)s” was imported here by %(publisher)s; only %(publisher)s can "
                    "import its new versions."
                )
                % {"name": solution.name, "publisher": solution.publisher}
            )
        return solution, False
    solution = Solution(
        uuid=data["uuid"],
        service=_service(content),
        publisher=publisher,
        name=data["name"],
        slug=free_slug(Solution.objects.filter(publisher=publisher), data["slug"]),
        summary=data.get("summary", ""),
        provenance={
            "installation": provenance["installation"],
            "publisher": provenance["publisher"],
            "solution_uuid": provenance["solution_uuid"],
        },
    )
    solution.full_clean()
    solution.save()
    return solution, True


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _provenance(content: dict[str, Any]) -> dict[str, Any]:
    """The version's provenance: the file's, its checksum, and a required update's deadline
    the original publisher set (kept for information, not in force here)."""
    spec = content["version"]
    provenance = content["provenance"] | {"checksum": checksum(content)}
    if spec.get("required_by"):
        provenance["required_by_origin"] = {
            "required_by": spec["required_by"],
            "reason": spec.get("required_reason", ""),
        }
    return provenance


def import_package(
    data: bytes,
    *,
    importer: Municipality,
    actor: AbstractBaseUser | None = None,
    publish: bool = False,
) -> ImportedPackage:
    """Import a package as a version in review (or, with ``publish``, published) of a solution
    whose publisher here is ``importer``, keeping its provenance (see module docstring).

    ``importer`` is the municipality importing it (from the back office: the designer's own;
    from the command line: the one the operator names); ``actor`` is checked to design there
    when given, and then ``publish`` is refused: the four-eyes review is not skipped in the
    back office.
    """
    from amtsweg.cases.services import check_workflow
    from amtsweg.catalog.services import definition_problems

    if actor is not None and (not has_role(actor, importer, DESIGNING_ROLES) or publish):
        raise PermissionDenied(_("Only a service designer of the municipality may import."))
    content = read_package(data)
    spec = content["version"]
    problems = definition_problems(spec["form_definition"], spec.get("options"))
    if spec.get("workflow") is not None and (problem := check_workflow(spec["workflow"])):
        problems.append(problem)
    if problems:
        raise PackageRefused(
            _("The package's form cannot be used here: %(problems)s")
            % {"problems": " ".join(problems[:5])}
        )
    with transaction.atomic():
        solution, created = _solution(content, importer)
        if SolutionVersion.objects.filter(solution=solution, number=spec["number"]).exists():
            raise PackageRefused(
                _("Version %(number)d of “%(name)s” has been imported already.")
                % {"number": spec["number"], "name": solution.name}
            )
        version = SolutionVersion(
            solution=solution,
            number=spec["number"],
            form_definition=spec["form_definition"],
            fee=_decimal(spec.get("fee")),
            fee_min=_decimal(spec.get("fee_min")),
            fee_max=_decimal(spec.get("fee_max")),
            provenance=_provenance(content),
            status=VersionStatus.REVIEW,
            review_requested_by=actor,
            **{name: spec[name] for name in LOCAL_FIELDS if name in spec},
        )
        try:
            version.full_clean()
        except ValidationError as invalid:
            raise PackageRefused(
                _("The package's version cannot be used here: %(problems)s")
                % {"problems": " ".join(invalid.messages[:5])}
            ) from None
        version.save()
        if publish:
            version.publish()
        record_event(
            "solution_version.imported",
            version,
            actor=actor,
            actor_label="" if actor else "import_solution command",
            chain=importer.ags,
            data={
                "solution": str(solution.uuid),
                "number": version.number,
                "installation": content["provenance"]["installation"],
                "checksum": checksum(content),
                "status": version.status,
            },
        )
    return ImportedPackage(version=version, created_solution=created)
