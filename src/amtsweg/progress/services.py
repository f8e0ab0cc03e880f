"""The progress app's public door: who may see and record OZG progress, and recording it."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from amtsweg.audit.services import record_event
from amtsweg.cases.models import Case
from amtsweg.cases.permissions import can_work_on
from amtsweg.progress.derivation import Progress, combine, derived_progress
from amtsweg.progress.models import (
    ImplementationState,
    OzgService,
    PaperKind,
    PaperStep,
    ServiceProgress,
)
from amtsweg.tenants.models import Cluster, Municipality, Role
from amtsweg.tenants.services import User, has_role, municipalities_for

#: Roles that see the dashboard and record progress: the municipal admin and the OZG
#: coordinator (who may also lead a cluster).
PROGRESS_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})


class ProgressRefused(Exception):
    """A progress change that cannot be made; the message says why, in the user's language."""


def dashboard_municipalities(user: User) -> QuerySet[Municipality]:
    return municipalities_for(user, PROGRESS_ROLES)


def get_dashboard_municipality(user: User, slug: str) -> Municipality:
    """The municipality ``slug`` if ``user`` may see its dashboard; 404 otherwise, so another
    municipality's dashboard does not even show that it exists."""
    municipality = dashboard_municipalities(user).filter(slug=slug).first()
    if municipality is None:
        raise Http404(_("No dashboard of yours has this address."))
    return municipality


def clusters_of(municipality: Municipality) -> list[Cluster]:
    """The clusters ``municipality`` belongs to, with lead and members preloaded."""
    return list(
        Cluster.objects.filter(members=municipality)
        .select_related("lead")
        .prefetch_related("members")
        .order_by("name")
    )


def get_ozg_service(ozg_id: str) -> OzgService:
    service = OzgService.objects.filter(ozg_id=ozg_id).first()
    if service is None:
        raise Http404(_("The OZG catalogue has no service with this ID."))
    return service


def progress_for(municipality: Municipality, service: OzgService) -> Progress:
    recorded = ServiceProgress.objects.filter(
        municipality=municipality, ozg_service=service
    ).first()
    derived = derived_progress([municipality.pk]).get((municipality.pk, service.pk))
    return combine(recorded, derived)


@dataclass(frozen=True)
class ProgressChange:
    state: str
    maturity: int
    planned_for: date | None = None
    note: str = ""

    def problem(self) -> str | None:
        """Why these values do not fit together, or None."""
        if self.state not in ImplementationState.values:
            return _("Choose one of the implementation states.")
        if not 0 <= self.maturity <= 4:
            return _("The maturity level is a number from 0 to 4.")
        if self.state == ImplementationState.ONLINE and self.maturity < 2:
            return _("A service that is online has at least maturity level 2 (form online).")
        return None


def record_progress(
    municipality: Municipality,
    service: OzgService,
    change: ProgressChange,
    *,
    actor: AbstractBaseUser,
) -> ServiceProgress:
    """Record ``change`` for ``service`` in ``municipality``, audited in its chain.

    Only its admin or OZG coordinator may. Where a live offering makes the service online,
    the state must stay "online" and the maturity at least the derived level
    (``derivation.offering_maturity``); plan and note may always change.
    """
    if not has_role(actor, municipality, PROGRESS_ROLES):
        raise PermissionDenied(_("Only the admin or OZG coordinator may record progress."))
    if problem := change.problem():
        raise ProgressRefused(problem)
    derived = derived_progress([municipality.pk]).get((municipality.pk, service.pk))
    if derived is not None and (
        change.state != ImplementationState.ONLINE or change.maturity < derived.maturity
    ):
        raise ProgressRefused(
            _(
                "“%(service)s” is online through the live offering “%(offering)s”: its state "
                "stays “online” and its maturity level at least %(level)d."
            )
            % {
                "service": service.name,
                "offering": derived.offerings[0],
                "level": derived.maturity,
            }
        )
    with transaction.atomic():
        entry, _created = ServiceProgress.objects.select_for_update().get_or_create(
            municipality=municipality, ozg_service=service
        )
        before = _snapshot(entry)
        entry.state, entry.maturity = change.state, change.maturity
        entry.planned_for, entry.note = change.planned_for, change.note.strip()
        entry.updated_by = actor
        entry.full_clean()
        entry.save()
        record_event(
            "progress.recorded",
            entry,
            actor=actor,
            chain=municipality.ags,
            data={"ozg_id": service.ozg_id, "before": before, "after": _snapshot(entry)},
        )
    return entry


def _snapshot(entry: ServiceProgress) -> dict[str, object]:
    return {
        "state": entry.state,
        "maturity": entry.maturity,
        "planned_for": entry.planned_for.isoformat() if entry.planned_for else None,
        "note": entry.note,
    }


def record_paper_step(
    case: Case, kind: str, *, actor: AbstractBaseUser, note: str = ""
) -> PaperStep:
    """Note that ``case`` left the digital path (``PaperKind``); audited in the processing
    municipality's chain. Only staff who work its cases may."""
    if not can_work_on(actor, case):
        raise PermissionDenied(_("Only staff working this case may record a paper step."))
    if kind not in PaperKind.values:
        raise ProgressRefused(_("Choose what kind of paper step it was."))
    with transaction.atomic():
        step = PaperStep.objects.create(case=case, kind=kind, note=note, recorded_by=actor)
        record_event(
            "case.paper_step_recorded",
            case,
            actor=actor,
            chain=case.municipality.ags,
            data={"kind": kind},
        )
    return step


def paper_steps_of(case: Case) -> QuerySet[PaperStep]:
    return case.paper_steps.select_related("recorded_by").order_by("created_at", "pk")
