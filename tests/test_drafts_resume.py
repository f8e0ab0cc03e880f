"""Drafts that expire, and the e-mailed link with which an anonymous applicant continues one.

Decided here: a resume link works as often as needed, on any device, until its draft is
submitted or expires (a mail scanner that opens it first must not use it up).
"""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.audit.services import PLATFORM_CHAIN, verify_chain
from amtsweg.submissions import tasks
from amtsweg.submissions.models import ResumeLink, Submission, SubmissionStatus
from amtsweg.submissions.resume import hash_resume_token
from amtsweg.submissions.services import (
    ResumeMailTooSoon,
    request_resume_mail,
    save_step,
    start_draft,
    submit_application,
)
from amtsweg.submissions.tasks import delete_expired_drafts, send_resume_link
from tests.factories import VALID_ANSWERS, OfferingFactory, expire, make_complete_draft

#: Answers that must never travel by e-mail.
FORM_CONTENT = ["Erika", "Mustermann", "Luisenplatz", "64283", "01.03.2024", "2024-03-01"]
EMAIL = "resume@example.de"
LINK = re.compile(r"https?://\S+/antrag/fortsetzen/[\w-]+/")


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def step_url(draft: Submission, key: str) -> str:
    return reverse("submissions:step", args=[draft.uuid, key])


def start_in_browser(client: Client, *steps: str) -> Submission:
    """Start the Darmstadt dog registration and complete ``steps`` through the assistant."""
    response = client.post(reverse("submissions:start", args=["darmstadt", "hund-anmelden"]))
    assert response.status_code == 302
    draft = Submission.objects.latest("created_at")
    for key in steps:
        response = client.post(step_url(draft, key), VALID_ANSWERS[key])
        assert response.status_code == 302, response.content.decode()[:1000]
    return draft


def ask_for_link(client: Client, draft: Submission, email: str = EMAIL, came_from: str = ""):
    url = reverse("submissions:save_for_later", args=[draft.uuid])
    return client.post(f"{url}?from={came_from}" if came_from else url, {"email": email})


def send_pending_links() -> None:
    """Run the queued resume-mail jobs, as the worker would."""
    for job in DBTaskResult.objects.filter(task_path=send_resume_link.module_path):
        send_resume_link.call(*job.args_kwargs["args"])


def mailed_link() -> str:
    assert len(mail.outbox) == 1
    found = LINK.findall(mail.outbox[0].body)
    assert len(found) == 1, mail.outbox[0].body
    return urlparse(found[0]).path


# --- expiry ---------------------------------------------------------------------------------


def test_a_new_draft_expires_after_the_configured_days(offering, settings):
    settings.AMTSWEG_DRAFT_DAYS = 3
    before = timezone.now()
    draft = start_draft(offering)
    assert before + timedelta(days=3) <= draft.expires_at <= timezone.now() + timedelta(days=3)


def test_every_saved_step_moves_the_expiry_on(offering):
    draft = start_draft(offering)
    soon = timezone.now() + timedelta(hours=1)
    Submission.objects.filter(pk=draft.pk).update(expires_at=soon)
    draft.refresh_from_db()

    save_step(draft, "applicant", {"given_name": "Erika"})

    stored = Submission.objects.get(pk=draft.pk).expires_at
    assert stored == draft.expires_at
    assert stored > timezone.now() + timedelta(days=settings.AMTSWEG_DRAFT_DAYS - 1)


def test_submitting_ends_the_expiry(complete_draft):
    receipt = submit_application(complete_draft)
    assert Submission.objects.get(pk=receipt.submission.pk).expires_at is None


def test_an_expired_draft_is_gone_for_its_own_session_too(client, offering):
    draft = start_in_browser(client, "applicant")
    expire(draft)
    assert client.get(step_url(draft, "address")).status_code == 404


# --- the page and the request ---------------------------------------------------------------


def test_every_step_offers_to_save_and_continue_later(offering):
    client = english_client()
    draft = start_in_browser(client)
    page = client.get(step_url(draft, "applicant")).content.decode()
    target = reverse("submissions:save_for_later", args=[draft.uuid])
    assert f'href="{target}?from=applicant"' in page
    assert "Save and continue later" in page


def test_the_page_asks_for_an_address_and_offers_the_answered_one(offering):
    client = english_client()
    draft = start_in_browser(client, "applicant")
    response = client.get(reverse("submissions:save_for_later", args=[draft.uuid]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<label class="kern-label" for="id_email">E-mail address' in page
    assert 'value="erika.mustermann@example.de"' in page
    assert 'autocomplete="email"' in page


def test_an_invalid_address_gets_the_error_summary(offering):
    client = english_client()
    draft = start_in_browser(client, "applicant")
    response = ask_for_link(client, draft, email="not-an-address")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    assert 'aria-invalid="true"' in page
    assert not ResumeLink.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_page_needs_the_drafts_session(client, offering):
    draft = start_in_browser(client, "applicant")
    stranger = Client()
    assert (
        stranger.get(reverse("submissions:save_for_later", args=[draft.uuid])).status_code == 404
    )
    assert ask_for_link(stranger, draft).status_code == 404
    assert not ResumeLink.objects.exists()


def test_the_mail_job_is_committed_with_the_request(offering):
    client = english_client()
    draft = start_in_browser(client, "applicant")

    response = ask_for_link(client, draft, came_from="address")

    sent_page = reverse("submissions:resume_mail_sent", args=[draft.uuid])
    assert response.status_code == 302
    assert response["Location"] == f"{sent_page}?from=address"
    link = ResumeLink.objects.get()
    job = DBTaskResult.objects.get(task_path=send_resume_link.module_path)
    assert job.args_kwargs == {"args": [link.pk], "kwargs": {}}
    assert mail.outbox == []  # the worker sends it
    page = client.get(response["Location"]).content.decode()
    assert EMAIL in page
    assert f'href="{step_url(draft, "address")}"' in page


class Boom(Exception):
    pass


class ExplodingTask:
    def enqueue(self, *args: object) -> None:
        raise Boom


def test_no_link_without_its_mail_job(offering, monkeypatch):
    draft = start_draft(offering)
    monkeypatch.setattr("amtsweg.submissions.services.send_resume_link", ExplodingTask())
    with pytest.raises(Boom):
        request_resume_mail(draft, email=EMAIL)
    assert not ResumeLink.objects.exists()


def test_one_mail_per_draft_and_minute(offering):
    client = english_client()
    draft = start_in_browser(client, "applicant")
    assert ask_for_link(client, draft).status_code == 302

    again = ask_for_link(client, draft, email="other@example.de")

    assert again.status_code == 429
    assert "less than a minute ago" in again.content.decode()
    assert ResumeLink.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=send_resume_link.module_path).count() == 1

    ResumeLink.objects.update(requested_at=timezone.now() - timedelta(seconds=61))
    assert ask_for_link(client, draft, email="other@example.de").status_code == 302
    assert ResumeLink.objects.count() == 2


def test_the_limit_is_per_draft(offering):
    first, second = start_draft(offering), start_draft(offering)
    request_resume_mail(first, email=EMAIL)
    request_resume_mail(second, email=EMAIL)
    with pytest.raises(ResumeMailTooSoon):
        request_resume_mail(first, email=EMAIL)


# --- the mail -------------------------------------------------------------------------------


def test_the_mail_names_service_municipality_expiry_and_link_and_no_answer(offering):
    client = english_client()
    draft = start_in_browser(client, "applicant", "address")
    ask_for_link(client, draft)

    send_pending_links()

    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert "Hund anmelden" in message.subject
    assert "Hund anmelden" in message.body
    assert "Darmstadt" in message.body
    draft.refresh_from_db()
    with translation.override("en"):
        assert date_filter(timezone.localtime(draft.expires_at), "DATETIME_FORMAT") in message.body
    assert mailed_link().startswith("/antrag/fortsetzen/")
    assert message.body.count(settings.BASE_URL) == 1
    for answer in FORM_CONTENT:
        assert answer not in message.subject
        assert answer not in message.body, answer


def test_only_the_tokens_hash_is_stored(offering):
    draft = start_draft(offering)
    link = request_resume_mail(draft, email=EMAIL)
    send_resume_link.call(link.pk)

    token = mailed_link().rstrip("/").rsplit("/", 1)[1]
    link.refresh_from_db()
    assert len(token) >= 43
    assert link.token_hash == hash_resume_token(token)
    assert token not in link.token_hash
    assert not DBTaskResult.objects.filter(args_kwargs__icontains=token).exists()


def test_a_retried_mail_job_sends_nothing_more(offering):
    link = request_resume_mail(start_draft(offering), email=EMAIL)
    assert send_resume_link.call(link.pk) == "sent"
    sent_at = ResumeLink.objects.get().sent_at

    assert send_resume_link.call(link.pk) == "already sent"

    assert len(mail.outbox) == 1
    assert ResumeLink.objects.get().sent_at == sent_at


def test_a_job_for_a_draft_submitted_meanwhile_sends_nothing(complete_draft):
    link = request_resume_mail(complete_draft, email=EMAIL)
    submit_application(complete_draft)

    assert send_resume_link.call(link.pk) == "gone with its draft"
    assert mail.outbox == []


# --- opening the link -----------------------------------------------------------------------


def test_round_trip_to_another_browser(offering):
    client = english_client()
    draft = start_in_browser(client, "applicant", "address")
    ask_for_link(client, draft, came_from="dog")
    send_pending_links()
    path = mailed_link()

    other = english_client()
    response = other.get(path)

    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "dog")  # the first step not completed
    assert "no-cache" in response["Cache-Control"]
    assert other.get(response["Location"]).status_code == 200
    applicant_page = other.get(step_url(draft, "applicant")).content.decode()
    assert 'value="Erika"' in applicant_page
    assert 'value="Mustermann"' in applicant_page
    assert 'value="Luisenplatz 5"' in other.get(step_url(draft, "address")).content.decode()

    # and the applicant can finish there
    assert other.post(step_url(draft, "dog"), VALID_ANSWERS["dog"]).status_code == 302
    summary = reverse("submissions:summary", args=[draft.uuid])
    confirmation = other.post(summary)
    assert confirmation.status_code == 302
    assert Submission.objects.get(pk=draft.pk).status == SubmissionStatus.SUBMITTED


def test_a_complete_draft_continues_at_the_summary(complete_draft):
    link = request_resume_mail(complete_draft, email=EMAIL)
    send_resume_link.call(link.pk)
    response = Client().get(mailed_link())
    assert response["Location"] == reverse("submissions:summary", args=[complete_draft.uuid])


def test_the_link_works_again_and_on_several_devices(offering):
    link = request_resume_mail(start_draft(offering), email=EMAIL)
    send_resume_link.call(link.pk)
    path = mailed_link()
    for _device in range(3):
        assert Client().get(path).status_code == 302


def test_every_link_of_a_draft_works(offering):
    draft = start_draft(offering)
    first = request_resume_mail(draft, email=EMAIL)
    send_resume_link.call(first.pk)
    ResumeLink.objects.update(requested_at=timezone.now() - timedelta(minutes=2))
    second = request_resume_mail(draft, email="other@example.de")
    send_resume_link.call(second.pk)

    paths = [urlparse(LINK.search(message.body)[0]).path for message in mail.outbox]

    assert len(set(paths)) == 2
    for path in paths:
        assert Client().get(path).status_code == 302


def assert_explained_404(response) -> None:
    assert response.status_code == 404
    page = response.content.decode()
    with translation.override("de"):
        assert gettext("This link cannot be used") in page
        assert gettext("Check the status of your application") in page


@pytest.mark.parametrize("token", ["x" * 43, "a" * 5000, "%00", "🐕", "a.b~c", "' OR 1=1 --"])
def test_an_unknown_token_gets_an_explained_404(client, offering, token):
    request_resume_mail(start_draft(offering), email=EMAIL)
    send_pending_links()
    response = client.get(f"/antrag/fortsetzen/{token}/")
    assert_explained_404(response)
    assert not client.session.get("amtsweg_submissions")


def test_the_error_page_speaks_english_too(offering):
    response = english_client().get("/antrag/fortsetzen/unknown/")
    assert response.status_code == 404
    assert "This link cannot be used" in response.content.decode()
    assert "unfinished applications are then deleted" in response.content.decode()


def test_a_submitted_applications_link_gets_the_404(complete_draft):
    link = request_resume_mail(complete_draft, email=EMAIL)
    send_resume_link.call(link.pk)
    submit_application(complete_draft)

    assert_explained_404(Client().get(mailed_link()))
    assert not ResumeLink.objects.exists()  # no address kept once the draft is submitted


def test_an_expired_drafts_link_gets_the_404_and_the_draft_is_deleted(offering):
    draft = start_draft(offering)
    link = request_resume_mail(draft, email=EMAIL)
    send_resume_link.call(link.pk)
    expire(draft)

    assert_explained_404(Client().get(mailed_link()))

    result = delete_expired_drafts.call()
    assert result["deleted"] == 1
    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert not ResumeLink.objects.exists()
    assert_explained_404(Client().get(mailed_link()))


# --- the daily clean-up ---------------------------------------------------------------------


def test_only_expired_drafts_are_deleted(offering):
    expired, open_draft = start_draft(offering), start_draft(offering)
    expire(expired)

    delete_expired_drafts.call()

    assert not Submission.objects.filter(pk=expired.pk).exists()
    assert Submission.objects.filter(pk=open_draft.pk).exists()


def test_submitted_applications_are_never_deleted(offering):
    receipt = submit_application(make_complete_draft(offering))
    long_ago = timezone.now() - timedelta(days=3650)
    Submission.objects.filter(pk=receipt.submission.pk).update(
        expires_at=long_ago, updated_at=long_ago, created_at=long_ago
    )

    assert delete_expired_drafts.call()["deleted"] == 0

    assert Submission.objects.filter(pk=receipt.submission.pk).exists()


def test_drafts_from_before_the_expiry_field_expire_by_their_last_change(offering):
    old, recent = start_draft(offering), start_draft(offering)
    Submission.objects.filter(pk=old.pk).update(
        expires_at=None,
        updated_at=timezone.now() - timedelta(days=settings.AMTSWEG_DRAFT_DAYS, minutes=1),
    )
    Submission.objects.filter(pk=recent.pk).update(expires_at=None)

    assert delete_expired_drafts.call()["deleted"] == 1

    assert not Submission.objects.filter(pk=old.pk).exists()
    assert Submission.objects.filter(pk=recent.pk).exists()


def test_the_run_says_what_it_deleted_per_offering_without_personal_data(offering, darmstadt):
    other = OfferingFactory(municipality=darmstadt, solution_version=offering.solution_version)
    drafts = [make_complete_draft(offering), make_complete_draft(offering), start_draft(other)]
    request_resume_mail(drafts[0], email=EMAIL)
    expire(*drafts)

    result = delete_expired_drafts.call()

    assert result["deleted"] == 3
    assert result["by_offering"] == sorted(
        [
            {"offering": str(offering.uuid), "municipality": "06411000", "count": 2},
            {"offering": str(other.uuid), "municipality": "06411000", "count": 1},
        ],
        key=lambda row: row["offering"] != str(offering.uuid),
    )
    event = AuditEvent.objects.get(action="submissions.expired_drafts_deleted")
    assert event.chain == PLATFORM_CHAIN
    assert event.actor_label == "scheduler"
    assert event.object_type == "scheduling.scheduledjob"
    assert event.data == result
    stored = str(event.data)
    for personal in [*FORM_CONTENT, EMAIL, "erika.mustermann", *(str(d.uuid) for d in drafts)]:
        assert personal not in stored
    assert verify_chain(PLATFORM_CHAIN) is None


def test_every_run_is_recorded_even_when_nothing_expired(offering):
    start_draft(offering)
    assert delete_expired_drafts.call()["deleted"] == 0
    assert delete_expired_drafts.call()["deleted"] == 0
    events = AuditEvent.objects.filter(action="submissions.expired_drafts_deleted")
    assert [e.data["deleted"] for e in events] == [0, 0]


def test_a_mailed_link_works_even_when_recording_the_send_fails(offering, monkeypatch):
    """The hash is stored before the mail goes; a failure afterwards (say, the database busy)
    leaves a link that opens the draft, and a retry may send a new one."""
    draft = start_draft(offering)
    link = request_resume_mail(draft, email=EMAIL)

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(tasks, "record_sent", busy)
    with pytest.raises(OperationalError):
        send_resume_link.call(link.pk)

    token = mailed_link().rstrip("/").rsplit("/", 1)[1]
    link.refresh_from_db()
    assert link.token_hash == hash_resume_token(token)
    assert link.sent_at is None
