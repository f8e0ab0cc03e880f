"""The catalog app's public door: what a municipality offers its citizens, and the service
designer's work on the solutions their municipality publishes."""

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.signals import post_save
from django.http import Http404
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.catalog.models import Offering, Solution, SolutionVersion, VersionStatus
from amtsweg.catalog.versions import (
    ADOPTING_ROLES,
    DESIGNING_ROLES,
    VersionChangeRefused,
    approve_version,
    request_review,
    return_to_draft,
    save_draft_settings,
    switch_version,
    update_state,
)
from amtsweg.forms.fim import FimImportError, ImportResult, import_schema
from amtsweg.forms.services import SCHEMA_VERSION, DefinitionError, check_definition
from amtsweg.lib.rows import copied, joined_row
from amtsweg.tenants.models import Municipality
from amtsweg.tenants.services import User, has_role, municipalities_for

__all__ = [
    "ADOPTING_ROLES",
    "DESIGNING_ROLES",
    "VersionChangeRefused",
    "approve_version",
    "request_review",
    "return_to_draft",
    "save_draft_settings",
    "switch_version",
    "update_state",
]


#: Published versions already read by this process, by primary key (``published_version``).
_PUBLISHED_VERSIONS: dict[int, SolutionVersion] = {}
#: Enough for every published version of a large installation; past it the cache starts over.
_PUBLISHED_VERSIONS_LIMIT = 1000


def published_version(version_id: int) -> SolutionVersion | None:
    """The solution version with this primary key, from this process's memory once published.

    Every page of the citizen journey needs its draft's version (the form definition, the trust
    level); reading it with the draft costs a join of its 20 columns and the parsing of its
    JSON on every request. A published version never changes (``SolutionVersion``), so each
    worker keeps the ones it has read. Drafts and versions in review, which the designer still
    changes, are read from the database every time. Each caller gets its own copy of the
    model instance, so that related objects it loads (the solution, the service: editable)
    never stay behind in the shared one. None when there is no such version.
    """
    version = _PUBLISHED_VERSIONS.get(version_id)
    if version is None:
        version = SolutionVersion.objects.filter(pk=version_id).first()
        if version is None or version.status != VersionStatus.PUBLISHED:
            return version
        if len(_PUBLISHED_VERSIONS) >= _PUBLISHED_VERSIONS_LIMIT:
            _PUBLISHED_VERSIONS.clear()
        _PUBLISHED_VERSIONS[version_id] = version
    return copied(version)


def _forget_version(sender: type, instance: SolutionVersion, **kwargs: Any) -> None:
    """A saved version leaves the cache: a published one is only saved by a data repair, and a
    test database that rolled back may hand the same primary key to a new version."""
    _PUBLISHED_VERSIONS.pop(instance.pk, None)


post_save.connect(_forget_version, sender=SolutionVersion, dispatch_uid="published-versions")


def get_municipality(slug: str) -> Municipality:
    """The municipality with this slug, 404 if none. Every citizen page of a municipality
    starts here, so the statement is built once per process (``joined_row``)."""
    municipality = joined_row(Municipality, {"slug": slug})
    if municipality is None:
        raise Http404("No municipality has this slug.")
    return municipality


def live_offerings(municipality: Municipality) -> QuerySet[Offering]:
    """The offerings a citizen of ``municipality`` can apply for today."""
    return (
        Offering.objects.live()
        .filter(municipality=municipality)
        .select_related("solution_version__solution__service")
        .order_by("title")
    )


def get_live_offering_by_uuid(offering_uuid: object) -> Offering | None:
    """A live offering by its public id, with what the API shows preloaded."""
    return (
        Offering.objects.live()
        .filter(uuid=offering_uuid, solution_version__status=VersionStatus.PUBLISHED)
        .select_related(
            "municipality", "processing_municipality", "solution_version__solution__service"
        )
        .first()
    )


def get_live_offering_for_submit(offering_uuid: object) -> Offering | None:
    """A live offering by its public id, with the municipality that processes it and its
    version (from ``published_version``); None if there is none.

    Every API submit starts here, so it is one statement built once per process
    (``joined_row``): building the ORM's SELECT with its live filter and join was a fifth of
    an API submit's CPU (issue 9)."""
    offering = joined_row(Offering, {"uuid": offering_uuid}, ["processing_municipality"])
    return _published_and_live(offering)


def _published_and_live(offering: Offering | None) -> Offering | None:
    """``offering`` with its published version set, if it is live and its version published;
    the journey's lookups read it by its key and check this afterwards."""
    if offering is None or not offering.is_live():
        return None
    version = published_version(offering.solution_version_id)
    if version is None or version.status != VersionStatus.PUBLISHED:
        return None
    offering.solution_version = version
    return offering


def get_live_offering(
    municipality: Municipality, slug: str, *, with_service: bool = False
) -> Offering:
    """The live offering ``slug`` of ``municipality`` (the offering page, "start application").

    Lean, as every journey starts here: the version comes from ``published_version`` (its
    JSON is not read again), ``municipality`` is the one passed and stands for the processing
    municipality when that is the same (nearly always; another is read when first used).
    The version's solution and service, which the offering page names, are read in one small
    query ``with_service``."""
    offering = _published_and_live(
        joined_row(Offering, {"municipality_id": municipality.pk, "slug": slug})
    )
    if offering is None:
        raise Http404(_("This municipality does not offer this service online."))
    offering.municipality = municipality
    if offering.processing_municipality_id == municipality.pk:
        offering.processing_municipality = municipality
    if with_service:
        version = offering.solution_version
        version.solution = joined_row(Solution, {"id": version.solution_id}, ["service"])
    return offering


# --- the service designer's door -----------------------------------------------------------
#
# A designer edits the form definition of a solution their municipality publishes. Drafts are
# private to the publisher (another municipality sees neither them nor that they exist), and a
# published version never changes: a change is a new draft version, published in its turn.

#: The largest JSON text the editor accepts; a real form definition is far smaller, and the
#: request body is capped by DATA_UPLOAD_MAX_MEMORY_SIZE anyway.
MAX_DEFINITION_CHARS = 2_000_000
#: The largest FIM upload (the importer enforces the same limit on what it reads).
MAX_FIM_UPLOAD_BYTES = 20 * 1024 * 1024


def _starter_definition() -> dict[str, Any]:
    """What the first draft of a solution without versions starts from: one empty step, so the
    definition passes ``check_definition`` and the editor has something to build on."""
    return {
        "schema_version": SCHEMA_VERSION,
        "steps": [{"key": "start", "title": {"de": "Angaben", "en": "Details"}, "fields": []}],
    }


class DesignChangeRefused(Exception):
    """A designer's change cannot be made; the message says why, in the user's language."""


class DraftAlreadyOpen(DesignChangeRefused):
    """The solution already has a draft version; only one may be open at a time, so that two
    designers never build two competing next versions."""

    def __init__(self, draft: SolutionVersion) -> None:
        super().__init__(
            _("Version %(number)d of this solution is still a draft; continue with that one.")
            % {"number": draft.number}
        )
        self.draft = draft


@dataclass
class FimImport:
    """What importing a FIM schema produced: the draft it went into and the importer's result
    (its report lists what could not be carried over)."""

    version: SolutionVersion
    result: ImportResult
    replaced_draft: bool
    problems: list[str]


def solutions_for_designer(user: User) -> QuerySet[Solution]:
    """The solutions published by municipalities where ``user`` may design, each with its
    versions (newest first, with the number of offerings using each) preloaded."""
    versions = SolutionVersion.objects.annotate(offering_count=Count("offerings")).order_by(
        "-number"
    )
    return (
        Solution.objects.filter(publisher__in=municipalities_for(user, DESIGNING_ROLES))
        .select_related("service", "publisher")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("publisher__short_name", "name")
    )


def designing_municipalities(user: User) -> QuerySet[Municipality]:
    """Where ``user`` may design (and import) solutions."""
    return municipalities_for(user, DESIGNING_ROLES)


def may_design(user: User) -> bool:
    """Whether ``user`` may design in any municipality (to show them the designer's pages)."""
    return municipalities_for(user, DESIGNING_ROLES).exists()


def get_solution_for_designer(user: User, solution_uuid: object) -> Solution:
    """The solution if ``user`` may design it; 404 otherwise, so that another municipality's
    solutions and drafts are not revealed."""
    try:
        return (
            Solution.objects.filter(publisher__in=municipalities_for(user, DESIGNING_ROLES))
            .select_related("service", "publisher")
            .get(uuid=solution_uuid)
        )
    except (Solution.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such solution.")) from None


def get_solution_version_for_designer(
    user: User, solution_uuid: object, number: int
) -> SolutionVersion:
    """Version ``number`` of the solution if ``user`` may design it; 404 otherwise."""
    try:
        return (
            SolutionVersion.objects.filter(
                solution__publisher__in=municipalities_for(user, DESIGNING_ROLES)
            )
            .select_related(
                "solution__service",
                "solution__publisher",
                "review_requested_by",
                "approved_by",
            )
            .annotate(offering_count=Count("offerings"))
            .get(solution__uuid=solution_uuid, number=number)
        )
    except (SolutionVersion.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such solution version.")) from None


def open_draft(solution: Solution) -> SolutionVersion | None:
    """The solution's open version (a draft, or one in review), if there is one: only one
    next version is built at a time."""
    return (
        solution.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.REVIEW])
        .order_by("-number")
        .first()
    )


def definition_revision(definition: object) -> str:
    """A short fingerprint of a definition's content: the editor sends back the one it started
    from, so a save never silently overwrites what another designer saved meanwhile."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def definition_as_text(definition: object) -> str:
    """The definition as the editor shows it: indented JSON, umlauts as they are."""
    return json.dumps(definition, indent=2, ensure_ascii=False)


def read_definition_text(
    text: str, options: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse a designer's JSON text and check it: the definition (None when the text is no JSON
    object) and every problem found, empty when it may be saved. ``options`` are the version's
    configurable options, the only ones the logic may read.

    A syntax error names its line and column, since the designer has nothing else to find it
    by. A name given twice in one JSON object is a problem too: the JSON parser would silently
    keep only the last one.
    """
    if len(text) > MAX_DEFINITION_CHARS:
        return None, [
            _("The text is longer than %(limit)d characters; a form definition is much smaller.")
            % {"limit": MAX_DEFINITION_CHARS}
        ]
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for name, value in items:
            if name in seen:
                duplicates.append(name)
            seen[name] = value
        return seen

    try:
        definition = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        return None, [
            _("The text is not valid JSON: %(problem)s (line %(line)d, column %(column)d).")
            % {"problem": error.msg, "line": error.lineno, "column": error.colno}
        ]
    except RecursionError:
        return None, [_("The JSON is nested too deeply.")]
    if not isinstance(definition, dict):
        return None, [_("The form definition must be one JSON object: { … }.")]
    problems = [
        _("The name “%(name)s” is given twice in one JSON object; remove one of them.")
        % {"name": name}
        for name in dict.fromkeys(duplicates)
    ]
    return definition, problems + definition_problems(definition, options)


def definition_problems(
    definition: dict[str, Any], options: list[dict[str, Any]] | None = None
) -> list[str]:
    """Every problem ``check_definition`` finds, as a list (empty when the definition is sound);
    ``options`` are the version's configurable options, the only ones its logic may read.

    The checker expects objects where objects belong; a definition typed by hand may hold a
    string or a list there, so that is checked first, and anything the checker still trips over
    becomes a problem to show rather than an error page.
    """
    shape = _shape_problems(definition)
    if shape:
        return shape
    try:
        check_definition(definition, options)
    except DefinitionError as error:
        return list(error.problems)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        return [
            _("The definition could not be checked (%(error)s); check the types of its values.")
            % {"error": error}
        ]
    return []


def _shape_problems(definition: dict[str, Any]) -> list[str]:
    steps = definition.get("steps")
    if steps is None:
        return []  # check_definition says that a step is needed
    if not isinstance(steps, list):
        return [_("“steps” must be a list: [ … ].")]
    problems: list[str] = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            problems.append(_("Step %(number)d must be an object: { … }.") % {"number": number})
            continue
        problems.extend(_item_shape_problems(step.get("fields", []), str(step.get("key"))))
        if not isinstance(step.get("rules", []), list):
            problems.append(
                _("The “rules” of step %(step)s must be a list.") % {"step": step.get("key")}
            )
    return problems


def _item_shape_problems(items: object, where: str) -> list[str]:
    if not isinstance(items, list):
        return [_("The “fields” of %(where)s must be a list: [ … ].") % {"where": where}]
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(
                _("Item %(number)d of %(where)s must be an object: { … }.")
                % {"number": number, "where": where}
            )
        elif item.get("type") == "group":
            problems.extend(
                _item_shape_problems(item.get("fields", []), f"{where}.{item.get('key')}")
            )
    return problems


def _require_designer(actor: User, solution: Solution) -> None:
    if not has_role(actor, solution.publisher, DESIGNING_ROLES):
        raise PermissionDenied(_("Only a service designer of the publishing municipality may."))


def _audit(action: str, version: SolutionVersion, actor: AbstractBaseUser, **data: Any) -> None:
    record_event(
        action,
        version,
        actor=actor,
        chain=version.solution.publisher.ags,
        data={"solution": str(version.solution.uuid), "number": version.number, **data},
    )


def _locked_solution(solution: Solution) -> Solution:
    """The solution row locked for this transaction: creating a draft and checking that none is
    open then happen one at a time per solution (SQLite serialises writers anyway). Only the
    solution's own row is locked, not the publisher joined to it."""
    return (
        Solution.objects.select_for_update(of=("self",))
        .select_related("publisher")
        .get(pk=solution.pk)
    )


#: What a new draft takes over from the latest version besides its form definition; release
#: notes and a required-update deadline belong to one version only.
CARRIED_OVER = (
    "trust_level",
    "processing_days",
    "retention_days",
    "retention_days_by_result",
    "workflow",
    "licence",
    "fee",
    "fee_min",
    "fee_max",
    "options",
)


def _new_draft(solution: Solution, definition: dict[str, Any]) -> SolutionVersion:
    """Version number+1 as a draft with ``definition``; the other settings (``CARRIED_OVER``)
    are carried over from the latest version."""
    latest = solution.versions.order_by("-number").first()
    settings = (
        {name: copy.deepcopy(getattr(latest, name)) for name in CARRIED_OVER} if latest else {}
    )
    return SolutionVersion.objects.create(
        solution=solution,
        number=(latest.number + 1) if latest else 1,
        status=VersionStatus.DRAFT,
        form_definition=definition,
        **settings,
    )


def create_draft_version(solution: Solution, *, actor: AbstractBaseUser) -> SolutionVersion:
    """Open the next version of ``solution`` as a draft, starting from the latest version's
    form definition; refused with ``DraftAlreadyOpen`` while another draft is open."""
    _require_designer(actor, solution)
    with transaction.atomic():
        locked = _locked_solution(solution)
        draft = open_draft(locked)
        if draft is not None:
            raise DraftAlreadyOpen(draft)
        latest = locked.versions.order_by("-number").first()
        definition = copy.deepcopy(latest.form_definition) if latest else _starter_definition()
        version = _new_draft(locked, definition)
        _audit(
            "solution_version.created",
            version,
            actor,
            based_on=latest.number if latest else None,
            definition=definition_revision(definition),
        )
    return version


def _locked_draft(version: SolutionVersion) -> SolutionVersion:
    locked = (
        SolutionVersion.objects.select_for_update(of=("self",))
        .select_related("solution__publisher")
        .get(pk=version.pk)
    )
    if locked.status == VersionStatus.REVIEW:
        raise DesignChangeRefused(
            _(
                "Version %(number)d is in review and cannot be changed; the reviewer can send "
                "it back to draft."
            )
            % {"number": locked.number}
        )
    if locked.status != VersionStatus.DRAFT:
        raise DesignChangeRefused(
            _(
                "Version %(number)d is published and can no longer be changed. Create a new "
                "draft version to make changes."
            )
            % {"number": locked.number}
        )
    return locked


def _store_definition(locked: SolutionVersion, definition: dict[str, Any]) -> None:
    locked.form_definition = definition
    try:
        locked.save(update_fields=["form_definition"])
    except ValidationError:
        # The model refuses to change a published row; _locked_draft has already checked the
        # status under the row lock, so this is the last line of defence.
        raise DesignChangeRefused(_("A published solution version cannot be changed.")) from None


def save_draft_definition(
    version: SolutionVersion,
    definition: dict[str, Any],
    *,
    actor: AbstractBaseUser,
    based_on: str | None = None,
) -> SolutionVersion:
    """Store a new form definition in a draft version.

    Only a definition that passes ``check_definition`` is stored (``DefinitionError`` lists the
    problems otherwise), so a draft edited here can always be previewed and published.
    ``based_on`` is the ``definition_revision`` the editor started from: when the stored
    definition has changed since, the save is refused rather than overwriting that change.
    """
    _require_designer(actor, version.solution)
    problems = definition_problems(definition, version.options)
    if problems:
        raise DefinitionError(problems)
    with transaction.atomic():
        locked = _locked_draft(version)
        if based_on is not None and based_on != definition_revision(locked.form_definition):
            raise DesignChangeRefused(
                _(
                    "Someone else saved this draft after you opened it. Your text is kept below; "
                    "reload the page to see their version, then apply your changes again."
                )
            )
        _store_definition(locked, definition)
        _audit(
            "solution_version.definition_saved",
            locked,
            actor,
            definition=definition_revision(definition),
        )
    return locked


def import_fim_into_draft(
    solution: Solution,
    data: bytes,
    filename: str,
    *,
    actor: AbstractBaseUser,
    replace_draft: bool = False,
) -> FimImport:
    """Import a FIM XDatenfelder schema (XML or ZIP) as the form definition of a new draft
    version, or of the open draft when ``replace_draft`` confirms that.

    A broken file is refused with the importer's ``FimImportError``, which names the place.
    The imported definition is stored even when ``check_definition`` finds problems (a field
    type the engine does not know yet, say): the designer fixes them in the editor, and
    publishing refuses until they have. The file is read before the transaction starts, so a
    large schema never holds the solution's lock.
    """
    _require_designer(actor, solution)
    if len(data) > MAX_FIM_UPLOAD_BYTES:
        raise FimImportError(
            _("The file is larger than %(limit)d MB; refused.")
            % {"limit": MAX_FIM_UPLOAD_BYTES // 1024 // 1024},
            filename=filename,
        )
    result = import_schema(data, filename)
    with transaction.atomic():
        locked = _locked_solution(solution)
        draft = open_draft(locked)
        if draft is not None and not replace_draft:
            raise DraftAlreadyOpen(draft)
        if draft is not None:
            version = _locked_draft(draft)
            _store_definition(version, result.definition)
        else:
            version = _new_draft(locked, result.definition)
        _audit(
            "solution_version.fim_imported",
            version,
            actor,
            replaced_draft=draft is not None,
            definition=definition_revision(result.definition),
            source=result.provenance.as_dict(),
            notes=len(result.report),
        )
    return FimImport(
        version=version,
        result=result,
        replaced_draft=draft is not None,
        problems=definition_problems(result.definition, version.options),
    )
