"""Processing deadlines: computed at opening in calendar days, stopped while waiting for the
applicant, extended with a reason, and the daily notice that mails each clerk once a day."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case, CaseStatus, DeadlineNotice
from amtsweg.cases.services import (
    TransitionRefused,
    change_case_status,
    claim_case,
    extend_deadline,
)
from amtsweg.cases.tasks import deadline_notices
from amtsweg.submissions.services import submit_application
from tests.factories import OfferingFactory, SolutionVersionFactory, make_complete_draft
from tests.staff_login import login_staff


def at(day: datetime):
    return lambda: day


def test_deadline_is_received_day_plus_processing_days(darmstadt, monkeypatch):
    version = SolutionVersionFactory(processing_days=10)
    offering = OfferingFactory(municipality=darmstadt, solution_version=version)
    received = timezone.make_aware(datetime(2026, 12, 24, 23, 30))  # Christmas Eve, late
    monkeypatch.setattr(timezone, "now", at(received))
    case = submit_application(make_complete_draft(offering)).submission.case
    # Calendar days: weekends and holidays count; the local day of arrival is day 0.
    assert case.deadline == datetime(2027, 1, 3).date()


def test_waiting_for_the_applicant_stops_the_clock(darmstadt_case, darmstadt_clerk, monkeypatch):
    start = darmstadt_case.deadline
    now = timezone.now()
    change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    waiting = change_case_status(
        darmstadt_case, CaseStatus.AWAITING_APPLICANT, actor=darmstadt_clerk
    )
    assert waiting.suspended_at is not None
    # Not overdue while waiting, even long past the deadline.
    assert not waiting.is_overdue(start + timedelta(days=30))
    assert Case.objects.overdue(start + timedelta(days=30)).count() == 0
    monkeypatch.setattr(timezone, "now", at(now + timedelta(days=5)))
    resumed = change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    assert resumed.suspended_at is None
    assert resumed.deadline == start + timedelta(days=5)
    assert resumed.paused_days == 5
    event = AuditEvent.objects.filter(action="case.status_changed").last()
    assert event.data["clock_resumed_after_days"] == 5


def test_extension_with_a_reason_is_audited(darmstadt_case, darmstadt_clerk):
    new = darmstadt_case.deadline + timedelta(days=7)
    extended = extend_deadline(
        darmstadt_case, new, reason="Gutachten angefordert", actor=darmstadt_clerk
    )
    assert extended.deadline == new
    assert extended.extensions.get().reason == "Gutachten angefordert"
    event = AuditEvent.objects.get(action="case.deadline_extended")
    assert event.data["to"] == new.isoformat()
    assert "Gutachten" not in str(event.data)  # the reason stays with the case, not the chain


@pytest.mark.parametrize("days,reason", [(0, "Grund"), (-1, "Grund"), (3, "  ")])
def test_extension_refused(darmstadt_case, darmstadt_clerk, days, reason):
    with pytest.raises(TransitionRefused):
        extend_deadline(
            darmstadt_case,
            darmstadt_case.deadline + timedelta(days=days),
            reason=reason,
            actor=darmstadt_clerk,
        )


def test_read_only_may_not_extend(darmstadt_case, darmstadt_readonly):
    with pytest.raises(PermissionDenied):
        extend_deadline(
            darmstadt_case,
            darmstadt_case.deadline + timedelta(days=1),
            reason="x",
            actor=darmstadt_readonly,
        )


def test_extension_form_in_the_case_view(client, darmstadt_case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    url = reverse("cases:extend_deadline", args=[darmstadt_case.uuid])
    assert (
        f'action="{url}"'
        in client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).content.decode()
    )
    earlier = client.post(url, {"deadline": "2000-01-01", "reason": "zu früh"})
    assert earlier.status_code == 409
    new = darmstadt_case.deadline + timedelta(days=3)
    assert client.post(url, {"deadline": new.isoformat(), "reason": "Urlaub"}).status_code == 302
    assert Case.objects.get(pk=darmstadt_case.pk).deadline == new


@pytest.fixture
def due_cases(offering, darmstadt_clerk, darmstadt_admin):
    """One overdue case of the clerk, one due tomorrow unassigned, one due in a week."""
    today = timezone.localdate()
    cases = [submit_application(make_complete_draft(offering)).submission.case for _ in range(3)]
    claim_case(cases[0], actor=darmstadt_clerk)
    for case, days in zip(cases, (-1, 1, 7), strict=True):
        Case.objects.filter(pk=case.pk).update(deadline=today + timedelta(days=days))
    return cases


def test_daily_notice_lists_reference_numbers_once_a_day(
    due_cases, darmstadt_clerk, darmstadt_admin, darmstadt_readonly
):
    overdue, soon, later = (case.submission.reference_number for case in due_cases)
    result = deadline_notices.call()
    assert result["sent"] == 2  # the clerk and the admin; read-only staff get none
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {darmstadt_clerk.email, darmstadt_admin.email}
    clerk_mail = by_recipient[darmstadt_clerk.email].body
    assert overdue in clerk_mail and soon in clerk_mail and later not in clerk_mail
    admin_mail = by_recipient[darmstadt_admin.email].body
    assert soon in admin_mail and overdue not in admin_mail  # not theirs, not unassigned
    for message in mail.outbox:
        assert "Mustermann" not in message.body and "Erika" not in message.body
    assert DeadlineNotice.objects.count() == 2

    again = deadline_notices.call()
    assert (again["sent"], again["skipped"]) == (0, 2)
    assert len(mail.outbox) == 2


def test_no_notice_for_waiting_or_closed_cases(due_cases, darmstadt_clerk):
    for case in due_cases[:2]:
        change_case_status(case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
        change_case_status(case, CaseStatus.AWAITING_APPLICANT, actor=darmstadt_clerk)
    assert deadline_notices.call()["sent"] == 0
    assert mail.outbox == []
