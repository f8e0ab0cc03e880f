"""The submit's one follow-up job (issue 9): it sends the confirmation mail and makes the
receipt, and the receipt is made even when the mail fails in a way nobody retries."""

from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tasks import follow_up_submission

pytestmark = pytest.mark.django_db


def test_the_submit_writes_one_job_that_mails_and_makes_the_receipt(submitted):
    submission = submitted.submission
    job = DBTaskResult.objects.get()  # the submit's only job
    assert job.task_path == follow_up_submission.module_path

    result = follow_up_submission.call(*job.args_kwargs["args"])

    assert result == {"mail": "sent", "receipt": "generated"}
    assert [message.to for message in mail.outbox] == [[submission.applicant_email]]
    receipt = Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE
    assert follow_up_submission.call(submission.pk) == {
        "mail": "already sent",
        "receipt": "exists",
    }


def test_a_mail_that_raises_still_gets_the_receipt_made(submitted, monkeypatch):
    def broken(submission_id: int) -> Any:
        raise RuntimeError("template went missing")

    monkeypatch.setattr("amtsweg.submissions.tasks.send_confirmation", broken)
    with pytest.raises(RuntimeError):
        follow_up_submission.call(submitted.submission.pk)
    receipt = Document.objects.get(submission=submitted.submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE
    assert not Submission.objects.get(pk=submitted.submission.pk).confirmation_sent_at
