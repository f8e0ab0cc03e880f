"""The default case workflow: which status may follow which.

eingegangen → in Prüfung → (Nachforderung ↔ in Prüfung) → entschieden → abgeschlossen;
the applicant may withdraw while the case is open. Per-solution workflows build on this.
"""

from amtsweg.cases.models import CaseStatus

TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.RECEIVED: (CaseStatus.IN_REVIEW,),
    CaseStatus.IN_REVIEW: (CaseStatus.AWAITING_APPLICANT, CaseStatus.DECIDED),
    CaseStatus.AWAITING_APPLICANT: (CaseStatus.IN_REVIEW,),
    CaseStatus.DECIDED: (CaseStatus.CLOSED,),
    CaseStatus.CLOSED: (),
    CaseStatus.WITHDRAWN: (),
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a clerk may move a case to from ``status``."""
    return TRANSITIONS.get(status, ())


def is_allowed(current: str, target: str) -> bool:
    return target in next_statuses(current)
