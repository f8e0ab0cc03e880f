"""The deadline notice's day row is its claim (``cases.notices``): made before the mail, which
is sent with no transaction open (issue 9). A mail that was not sent must not leave the claim
behind, or no run of that day sends the clerk's notice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from amtsweg.cases.actions import claim_case
from amtsweg.cases.models import Case, DeadlineNotice
from amtsweg.cases.notices import send_deadline_notices
from amtsweg.submissions.services import submit_application
from tests.factories import make_complete_draft

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """Fails with something other than a connection error (a bad address, a bad header)."""

    def send_messages(self, messages):
        raise ValueError("Invalid address")


@pytest.fixture
def overdue(offering, darmstadt_clerk):
    case = submit_application(make_complete_draft(offering)).submission.case
    claim_case(case, actor=darmstadt_clerk)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    return case


def test_a_notice_the_server_refused_is_sent_by_a_later_run(settings, overdue):
    today = timezone.localdate()
    settings.EMAIL_BACKEND = "tests.test_mail_retries.FailingBackend"
    assert send_deadline_notices(today)["failed"] == 1
    assert not DeadlineNotice.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_deadline_notices(today)["sent"] == 1
    assert len(mail.outbox) == 1


def test_a_notice_that_failed_otherwise_leaves_no_claim(settings, overdue):
    """Before the mails left the transaction, the rollback took the row with it."""
    today = timezone.localdate()
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with pytest.raises(ValueError, match="Invalid address"):
        send_deadline_notices(today)
    assert not DeadlineNotice.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_deadline_notices(today)["sent"] == 1
