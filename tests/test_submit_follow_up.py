"""The submit's one follow-up job (issue 9): it makes the receipt and sends the confirmation
mail; the receipt comes first and a mail server that fails, or never answers, cannot hold it up."""

import socket
import time
from types import SimpleNamespace
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


def test_the_receipt_is_made_before_the_mail_is_tried(submitted, monkeypatch):
    states = []

    def send(submission_id: int) -> str:
        states.append(Document.objects.get(submission_id=submission_id).state)
        return "sent"

    monkeypatch.setattr("amtsweg.submissions.tasks.send_confirmation", send)
    follow_up_submission.call(submitted.submission.pk)
    assert states == [GenerationState.DONE]


def test_a_receipt_that_raises_still_gets_the_mail_sent(submitted, monkeypatch):
    def broken(submission_id: int) -> Any:
        raise RuntimeError("the PDF renderer crashed")

    monkeypatch.setattr("amtsweg.submissions.tasks.generate_receipt", SimpleNamespace(call=broken))
    with pytest.raises(RuntimeError):
        follow_up_submission.call(submitted.submission.pk)
    assert [message.to for message in mail.outbox] == [[submitted.submission.applicant_email]]


def test_a_mail_server_that_never_answers_times_out_into_a_retry(submitted, settings):
    assert 0 < settings.EMAIL_TIMEOUT <= 60  # the default bounds every SMTP wait
    silent = socket.socket()  # accepts the connection, never sends the SMTP greeting
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    started = time.monotonic()
    try:
        result = follow_up_submission.call(submitted.submission.pk)
    finally:
        silent.close()
    assert time.monotonic() - started < 10
    assert result["receipt"] == "generated"
    assert result["mail"].startswith("failed, retry at")
    receipt = Document.objects.get(submission=submitted.submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE
