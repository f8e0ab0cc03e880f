"""The submission_received task: one confirmation mail with the reference number, no content."""

from django.conf import settings
from django.core import mail
from django.urls import reverse

from amtsweg.submissions.models import Submission
from amtsweg.submissions.tasks import submission_received
from tests.factories import VALID_ANSWERS

#: Answers that must never travel by e-mail (the name is the greeting's business, not the form's).
FORM_CONTENT = [
    "Luisenplatz",
    "64283",
    "Bello bellt nachts",
    "Dackel",
    "Dachshund",
    "01.03.2024",
    "2024-03-01",
]


def test_mail_names_the_reference_number_and_no_answer(submitted):
    submission = submitted.submission

    assert submission_received.call(submission.pk) == "sent"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika.mustermann@example.de"]
    assert submission.reference_number in message.subject
    assert submission.reference_number in message.body
    assert "Hund anmelden" in message.subject
    for answer in FORM_CONTENT:
        assert answer not in message.subject
        assert answer not in message.body, answer
    assert submitted.access_code not in message.body
    assert VALID_ANSWERS["address"]["street"][0] not in message.body
    assert Submission.objects.get(pk=submission.pk).confirmation_sent_at is not None


def test_running_again_sends_nothing(submitted):
    submission_received.call(submitted.submission.pk)
    sent_at = Submission.objects.get(pk=submitted.submission.pk).confirmation_sent_at

    assert submission_received.call(submitted.submission.pk) == "already sent"

    assert len(mail.outbox) == 1
    assert Submission.objects.get(pk=submitted.submission.pk).confirmation_sent_at == sent_at


def test_without_an_address_nothing_is_sent(submitted):
    Submission.objects.filter(pk=submitted.submission.pk).update(applicant_email="")
    assert submission_received.call(submitted.submission.pk) == "no e-mail address given"
    assert mail.outbox == []
    assert Submission.objects.get(pk=submitted.submission.pk).confirmation_sent_at is None


def test_mail_is_in_the_applicants_language(complete_draft, submit):
    receipt = submit(complete_draft, language="en")
    submission_received.call(receipt.submission.pk)
    german = Submission.objects.get(pk=receipt.submission.pk)
    assert german.language == "en"
    assert "Application received" in mail.outbox[0].subject


def test_status_link_in_the_mail_is_absolute(submitted):
    submission_received.call(submitted.submission.pk)
    assert f"{settings.BASE_URL}{reverse('submissions:status')}" in mail.outbox[0].body
