"""Case workflows: which statuses a solution's cases pass through and which may follow which.

A ``SolutionVersion`` may define its own workflow in its ``workflow`` JSON; without one
(``None``) its cases follow ``DEFAULT``: eingegangen → in Prüfung → (Nachforderung ↔ in
Prüfung) → entschieden → abgeschlossen, and the applicant may withdraw while the case is open.

The JSON format::

    {
      "initial": "received",
      "statuses": [
        {"key": "received", "label": {"de": "eingegangen", "en": "received"}},
        {"key": "awaiting_applicant", "label": {...}, "kind": "waiting"},
        {"key": "closed", "label": {...}, "kind": "closed"},
        {"key": "withdrawn", "label": {...}, "kind": "withdrawn"}
      ],
      "transitions": [{"from": "received", "to": "in_review", "role": "admin"}, ...]
    }

``kind`` says what the engine does with a status, so that a solution may name its statuses
freely: ``open`` (the default) is worked on; ``waiting`` stops the deadline clock (waiting for
the applicant); ``closed`` ends the case and needs a result; ``withdrawn`` ends it on the
applicant's request (exactly one, the target of ``withdraw_case``). ``role`` on a transition
names the role (``admin`` or ``clerk``) the acting user must hold; admins may always act.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amtsweg.cases.models import CaseStatus
from amtsweg.tenants.models import Role

OPEN, WAITING, CLOSED, WITHDRAWN = "open", "waiting", "closed", "withdrawn"
KINDS = (OPEN, WAITING, CLOSED, WITHDRAWN)
FINAL_KINDS = (CLOSED, WITHDRAWN)
TRANSITION_ROLES = (Role.ADMIN.value, Role.CLERK.value)


class WorkflowError(ValueError):
    """A workflow definition that cannot be used; the message says what is wrong."""


@dataclass(frozen=True)
class Status:
    key: str
    labels: Mapping[str, str]
    kind: str = OPEN

    @property
    def label(self) -> str:
        """The label in the active language (German first, then English, then the key)."""
        language = (get_language() or "de")[:2]
        return self.labels.get(language) or self.labels.get("de") or self.key

    @property
    def is_final(self) -> bool:
        return self.kind in FINAL_KINDS


@dataclass(frozen=True)
class Workflow:
    initial: str
    statuses: dict[str, Status]
    #: (from, to) → the role required for it ("" when any working role may).
    transitions: dict[tuple[str, str], str] = field(default_factory=dict)

    def status(self, key: str) -> Status | None:
        return self.statuses.get(key)

    def label(self, key: str) -> str:
        status = self.statuses.get(key)
        return status.label if status else key

    def next_statuses(self, current: str) -> tuple[str, ...]:
        """The statuses a clerk may move a case to from ``current`` (withdrawal is not one:
        it is the applicant's, through ``withdraw_case``)."""
        return tuple(target for source, target in self.transitions if source == current)

    def is_allowed(self, current: str, target: str) -> bool:
        return (current, target) in self.transitions

    def required_role(self, current: str, target: str) -> str:
        return self.transitions.get((current, target), "")

    def keys_of_kind(self, *kinds: str) -> list[str]:
        return [key for key, status in self.statuses.items() if status.kind in kinds]

    @property
    def open_keys(self) -> list[str]:
        return self.keys_of_kind(OPEN, WAITING)

    @property
    def withdrawn_key(self) -> str:
        return self.keys_of_kind(WITHDRAWN)[0]


def _default() -> Workflow:
    kinds = {
        CaseStatus.AWAITING_APPLICANT: WAITING,
        CaseStatus.CLOSED: CLOSED,
        CaseStatus.WITHDRAWN: WITHDRAWN,
    }
    # The default's labels are gettext msgids, translated when shown (see DefaultStatus).
    statuses = {
        value: DefaultStatus(key=value, labels={}, kind=kinds.get(value, OPEN))
        for value in CaseStatus.values
    }
    pairs = [
        (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW),
        (CaseStatus.IN_REVIEW, CaseStatus.AWAITING_APPLICANT),
        (CaseStatus.IN_REVIEW, CaseStatus.DECIDED),
        (CaseStatus.AWAITING_APPLICANT, CaseStatus.IN_REVIEW),
        (CaseStatus.DECIDED, CaseStatus.CLOSED),
    ]
    return Workflow(
        initial=CaseStatus.RECEIVED.value,
        statuses=statuses,
        transitions={(str(source), str(target)): "" for source, target in pairs},
    )


@dataclass(frozen=True)
class DefaultStatus(Status):
    """A status of the default workflow, labelled through the German catalogue."""

    @property
    def label(self) -> str:
        return str(CaseStatus(self.key).label)


def parse_workflow(data: Any) -> Workflow:
    """Build a workflow from a solution version's JSON, refusing anything the engine cannot
    run: unknown statuses in transitions, unknown kinds or roles, not exactly one withdrawn
    status, no closing status, transitions out of a final status."""
    if not isinstance(data, dict):
        raise WorkflowError(_("The workflow must be a JSON object."))
    raw_statuses = data.get("statuses")
    if not isinstance(raw_statuses, list) or not raw_statuses:
        raise WorkflowError(_("The workflow needs a list of statuses."))
    statuses: dict[str, Status] = {}
    for raw in raw_statuses:
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or not raw["key"]:
            raise WorkflowError(_("Every status needs a key."))
        key = raw["key"]
        if len(key) > 30 or key in statuses:
            raise WorkflowError(_("Status key “%(key)s” is too long or repeated.") % {"key": key})
        labels = raw.get("label", {})
        if not isinstance(labels, dict) or not isinstance(labels.get("de"), str):
            raise WorkflowError(_("Status “%(key)s” needs a German label.") % {"key": key})
        kind = raw.get("kind", OPEN)
        if kind not in KINDS:
            raise WorkflowError(_("Status “%(key)s” has an unknown kind.") % {"key": key})
        statuses[key] = Status(key=key, labels=dict(labels), kind=kind)
    initial = data.get("initial", raw_statuses[0]["key"])
    if initial not in statuses or statuses[initial].is_final:
        raise WorkflowError(_("The initial status must be one of the open statuses."))
    transitions: dict[tuple[str, str], str] = {}
    for raw in data.get("transitions", []):
        if not isinstance(raw, dict):
            raise WorkflowError(_("Every transition must be an object with “from” and “to”."))
        source, target, role = raw.get("from"), raw.get("to"), raw.get("role", "")
        if source not in statuses or target not in statuses:
            raise WorkflowError(
                _("Transition %(source)s → %(target)s names an unknown status.")
                % {"source": source, "target": target}
            )
        if statuses[source].is_final or statuses[target].kind == WITHDRAWN:
            raise WorkflowError(
                _("No transition may leave a final status or lead to the withdrawn one.")
            )
        if role and role not in TRANSITION_ROLES:
            raise WorkflowError(_("Unknown role “%(role)s” on a transition.") % {"role": role})
        transitions[(source, target)] = role
    if len([s for s in statuses.values() if s.kind == WITHDRAWN]) != 1:
        raise WorkflowError(_("The workflow needs exactly one status of kind “withdrawn”."))
    if not any(s.kind == CLOSED for s in statuses.values()):
        raise WorkflowError(_("The workflow needs at least one status of kind “closed”."))
    return Workflow(initial=initial, statuses=statuses, transitions=transitions)


DEFAULT = _default()
#: The default workflow's clerk transitions, as ``{status: (next statuses, …)}``.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    status: DEFAULT.next_statuses(status) for status in CaseStatus.values
}


def workflow_of(definition: dict[str, Any] | None) -> Workflow:
    """The workflow a solution version's JSON defines; the default when it defines none.

    Versions are checked when saved (``check_workflow``), so a broken one here means data
    written around the checks; it falls back to the default rather than locking its cases.
    """
    if definition is None:
        return DEFAULT
    try:
        return parse_workflow(definition)
    except WorkflowError:
        return DEFAULT


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a clerk may move a case of the default workflow to from ``status``."""
    return DEFAULT.next_statuses(status)


def is_allowed(current: str, target: str) -> bool:
    return DEFAULT.is_allowed(current, target)
