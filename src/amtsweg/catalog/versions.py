"""A solution's life after its first version: review before publishing, the settings of a
draft, and how adopters move to a newer version (by choice, or by a required update's
deadline).

Review: a designer of the publisher sends a draft to review; another designer or admin of the
publisher approves it (four eyes), which publishes it and records who approved. The reviewer
may also send it back to draft.

Required updates: a version may say that every adopter must switch to it by a date (a security
or legal fix). Until then adopters see the deadline; after it, the daily job
``catalog.switch_overdue_offerings`` switches each offering whose local settings fit the new
version, and lists the others as overdue for their admins (an offering is never switched into
settings the solution does not allow, e.g. a fee outside its new range).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.catalog.models import Offering, SolutionVersion, VersionStatus
from amtsweg.tenants.models import Role
from amtsweg.tenants.services import has_role

#: Roles that may design and publish their municipality's solutions.
DESIGNING_ROLES = frozenset({Role.ADMIN, Role.DESIGNER})
#: Roles that adopt solutions and look after their municipality's offerings.
ADOPTING_ROLES = frozenset({Role.ADMIN})
#: What a designer sets on a draft besides its form definition.
DRAFT_SETTINGS = (
    "release_notes",
    "licence",
    "trust_level",
    "processing_days",
    "fee",
    "fee_min",
    "fee_max",
    "options",
    "required_by",
    "required_reason",
)


class VersionChangeRefused(Exception):
    """A change of a version's state cannot be made; the message says why."""


def _require_designer(actor: AbstractBaseUser, version: SolutionVersion) -> None:
    if not has_role(actor, version.solution.publisher, DESIGNING_ROLES):
        raise PermissionDenied(_("Only a service designer of the publishing municipality may."))


def _locked(version: SolutionVersion, status: str) -> SolutionVersion:
    locked = (
        SolutionVersion.objects.select_for_update(of=("self",))
        .select_related("solution__publisher")
        .get(pk=version.pk)
    )
    if locked.status != status:
        raise VersionChangeRefused(
            _("Version %(number)d is %(status)s; this step is not possible now.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    return locked


def audit_version(
    action: str, version: SolutionVersion, actor: AbstractBaseUser | None, **data: Any
) -> None:
    record_event(
        action,
        version,
        actor=actor,
        chain=version.solution.publisher.ags,
        data={"solution": str(version.solution.uuid), "number": version.number, **data},
    )


def save_draft_settings(
    version: SolutionVersion, values: dict[str, Any], *, actor: AbstractBaseUser
) -> SolutionVersion:
    """Store the settings of a draft (``DRAFT_SETTINGS``); ``ValidationError`` when they do not
    pass the version's checks, and then nothing is stored."""
    _require_designer(actor, version)
    with transaction.atomic():
        locked = _locked(version, VersionStatus.DRAFT)
        for name in DRAFT_SETTINGS:
            if name in values:
                setattr(locked, name, values[name])
        locked.full_clean()
        locked.save(update_fields=[name for name in DRAFT_SETTINGS if name in values])
        audit_version("solution_version.settings_saved", locked, actor, fields=sorted(values))
    return locked


def request_review(version: SolutionVersion, *, actor: AbstractBaseUser) -> SolutionVersion:
    """Send a draft to review: it can no longer be edited, and another designer approves it."""
    from amtsweg.catalog.services import definition_problems
    from amtsweg.forms.services import DefinitionError

    _require_designer(actor, version)
    with transaction.atomic():
        locked = _locked(version, VersionStatus.DRAFT)
        problems = definition_problems(locked.form_definition, locked.options)
        if problems:
            raise DefinitionError(problems)
        locked.status = VersionStatus.REVIEW
        locked.review_requested_by = actor
        locked.save(update_fields=["status", "review_requested_by"])
        audit_version("solution_version.review_requested", locked, actor)
    return locked


def return_to_draft(
    version: SolutionVersion, *, actor: AbstractBaseUser, note: str = ""
) -> SolutionVersion:
    """The reviewer sends a version back: it is a draft again, editable, with the note audited."""
    _require_designer(actor, version)
    with transaction.atomic():
        locked = _locked(version, VersionStatus.REVIEW)
        locked.status = VersionStatus.DRAFT
        locked.save(update_fields=["status"])
        audit_version("solution_version.returned_to_draft", locked, actor, note=note[:500])
    return locked


def approve_version(version: SolutionVersion, *, actor: AbstractBaseUser) -> SolutionVersion:
    """Approve a version in review, which publishes it. The approver must be another person
    than the one who asked for the review, so every published version was seen by two."""
    _require_designer(actor, version)
    with transaction.atomic():
        locked = _locked(version, VersionStatus.REVIEW)
        if locked.review_requested_by_id == actor.pk:
            raise VersionChangeRefused(
                _("Another designer or admin of your municipality must approve this version.")
            )
        locked.approved_by = actor
        locked.save(update_fields=["approved_by"])
        locked.publish()
        audit_version("solution_version.published", locked, actor, approved=True)
    return locked


# --- adopters and newer versions ------------------------------------------------------------


def newer_versions(offering: Offering) -> list[SolutionVersion]:
    """The published versions of the offering's solution newer than the one it uses."""
    current = offering.solution_version
    return list(
        SolutionVersion.objects.filter(
            solution_id=current.solution_id,
            status=VersionStatus.PUBLISHED,
            number__gt=current.number,
        ).order_by("number")
    )


@dataclass(frozen=True)
class UpdateState:
    """What an adopter needs to know: the newest version, and a required one with deadline."""

    latest: SolutionVersion | None
    required: SolutionVersion | None

    @property
    def deadline(self) -> datetime.date | None:
        return self.required.required_by if self.required else None

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < timezone.localdate()


def update_state(offering: Offering, newer: list[SolutionVersion] | None = None) -> UpdateState:
    """Whether an update is available for ``offering`` and whether one is required by a date
    (the earliest deadline among the newer versions)."""
    newer = newer_versions(offering) if newer is None else newer
    required = [version for version in newer if version.required_by]
    return UpdateState(
        latest=newer[-1] if newer else None,
        required=min(required, key=lambda version: version.required_by) if required else None,
    )


def _fit_local_settings(offering: Offering, version: SolutionVersion) -> None:
    """Carry the local settings over to ``version``: options it no longer has are dropped,
    new ones take their default, hints of removed steps are dropped. A fee the new version
    fixes is taken over; a fee of the offering's own must fit the new version's range, or the
    switch is refused."""
    from amtsweg.forms.services import steps_of

    declared = {option["key"]: option for option in version.options or []}
    values = {k: v for k, v in offering.option_values.items() if k in declared}
    for key, option in declared.items():
        if values.get(key) not in version.option_choices()[key]:
            values[key] = option["default"]
    offering.option_values = values
    if version.fee is not None and version.fee_min is None:
        offering.fee = version.fee
    steps = {step["key"] for step in steps_of(version.form_definition)}
    offering.step_hints = {k: v for k, v in offering.step_hints.items() if k in steps}


def switch_version(
    offering: Offering, version: SolutionVersion, *, actor: AbstractBaseUser | None
) -> Offering:
    """Move ``offering`` to another published version of its solution, in one audited step.

    Submissions keep the version they were made with; only new drafts use ``version``.
    ``actor`` None is the required-update job. ``ValidationError`` when the local settings do
    not fit the new version (the admin changes them first).
    """
    if actor is not None and not has_role(actor, offering.municipality, ADOPTING_ROLES):
        raise PermissionDenied(_("Only an admin of the municipality may switch its offering."))
    with transaction.atomic():
        locked = (
            Offering.objects.select_for_update(of=("self",))
            .select_related("municipality", "solution_version")
            .get(pk=offering.pk)
        )
        old = locked.solution_version
        if version.solution_id != old.solution_id or version.status != VersionStatus.PUBLISHED:
            raise VersionChangeRefused(_("Only a published version of the same solution."))
        if version.pk == old.pk:
            return locked
        _fit_local_settings(locked, version)
        locked.local_settings_check(version)
        locked.solution_version = version
        locked.save(update_fields=["solution_version", "option_values", "step_hints", "fee"])
        record_event(
            "offering.version_switched",
            locked,
            actor=actor,
            actor_label="" if actor else "required-update job",
            chain=locked.municipality.ags,
            data={"from": old.number, "to": version.number, "automatic": actor is None},
        )
    return locked


def offerings_behind_required_updates(today: datetime.date) -> QuerySet[Offering]:
    """Offerings using an older version of a solution that has a required version whose
    deadline has passed."""
    return Offering.objects.filter(
        solution_version__solution__versions__status=VersionStatus.PUBLISHED,
        solution_version__solution__versions__required_by__lt=today,
        solution_version__solution__versions__number__gt=F("solution_version__number"),
    ).distinct()


@dataclass
class RequiredUpdateRun:
    switched: list[Offering]
    overdue: list[tuple[Offering, dict[str, str]]]


def switch_overdue_offerings(today: datetime.date | None = None) -> RequiredUpdateRun:
    """After a required update's deadline, move every offering behind it to the newest
    published version; an offering whose local settings do not fit stays and is reported
    (its admin sees it as overdue)."""
    today = today or timezone.localdate()
    run = RequiredUpdateRun(switched=[], overdue=[])
    behind = list(
        offerings_behind_required_updates(today).select_related("municipality", "solution_version")
    )
    newest = _newest_published({offering.solution_version.solution_id for offering in behind})
    for offering in behind:
        try:
            run.switched.append(
                switch_version(offering, newest[offering.solution_version.solution_id], actor=None)
            )
        except ValidationError as refused:
            run.overdue.append(
                (offering, {k: " ".join(v) for k, v in refused.message_dict.items()})
            )
    return run


def _newest_published(solution_ids: set[int]) -> dict[int, SolutionVersion]:
    """The newest published version of each solution, in one query for the whole daily run
    (asking per offering made the job's reads grow with the number of adopters)."""
    newest: dict[int, SolutionVersion] = {}
    versions = SolutionVersion.objects.filter(
        solution_id__in=solution_ids, status=VersionStatus.PUBLISHED
    ).order_by("number")
    for version in versions:
        newest[version.solution_id] = version
    return newest
