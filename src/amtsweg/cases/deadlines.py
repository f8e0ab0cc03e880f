"""Processing deadlines (Bearbeitungsfristen): computing, stopping and moving them.

A deadline is a calendar date: the day the application arrived (in the installation's time
zone) plus the solution version's ``processing_days`` in calendar days, weekends and public
holidays included, as most German procedural deadlines for online services are counted. A
case is overdue from the day after its deadline. While a case waits for the applicant its
clock stops; when it resumes, the deadline moves on by the whole calendar days it waited.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from amtsweg.cases.models import Case

#: "Due soon" in the inbox filter; the daily notice uses NOTICE_DAYS.
DUE_SOON_DAYS = 3
NOTICE_DAYS = 2


def initial_deadline(received_at: datetime, processing_days: int) -> date:
    return timezone.localdate(received_at) + timedelta(days=processing_days)


def stop_clock(case: Case, now: datetime) -> None:
    """Entering a waiting status: remember when (unless already stopped)."""
    if case.suspended_at is None:
        case.suspended_at = now


def restart_clock(case: Case, now: datetime) -> int:
    """Leaving a waiting status: move the deadline by the days waited; returns those days."""
    if case.suspended_at is None:
        return 0
    waited = max(0, (timezone.localdate(now) - timezone.localdate(case.suspended_at)).days)
    if case.deadline is not None:
        case.deadline += timedelta(days=waited)
    case.paused_days += waited
    case.suspended_at = None
    return waited
