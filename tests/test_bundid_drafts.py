"""Drafts of a citizen logged in with BundID belong to their account, not to the browser
session: after a new log-in in another browser the draft is listed under "Mein Amtsweg" and
goes on where it stopped; another citizen cannot open it (404), not even on the same browser.
Anonymous drafts stay bound to their session and their resume link. Real SAML log-ins
against the bundled test identity provider."""

import pytest
from django.test import Client
from django.urls import reverse

from amtsweg.submissions.models import Submission
from amtsweg.submissions.resume import hash_resume_token, resume_url_for
from amtsweg.submissions.services import request_resume_mail
from tests.factories import VALID_ANSWERS
from tests.saml_flow import english_client, log_in, saml_settings, saml_var_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("saml_settings")]


def step_url(draft: Submission, key: str) -> str:
    return reverse("submissions:step", args=[draft.uuid, key])


def browser(person: str | None = None) -> Client:
    client = english_client()
    if person:
        log_in(client, person, "low")
    return client


def start_draft_in(client: Client, *steps: str) -> Submission:
    response = client.post(reverse("submissions:start", args=["darmstadt", "hund-anmelden"]))
    assert response.status_code == 302
    draft = Submission.objects.latest("created_at")
    for key in steps:
        answered = client.post(step_url(draft, key), VALID_ANSWERS[key])
        assert answered.status_code == 302, answered.content.decode()[:1000]
    return draft


def test_a_logged_in_citizens_draft_goes_on_in_a_new_session(offering):
    phone = browser("erika")
    draft = start_draft_in(phone, "applicant")
    assert draft.citizen.pseudonym == "testidp-erika-mustermann-7Qd2"
    phone.post("/saml/logout/")  # the session ends, drafts and all
    assert phone.get(step_url(draft, "applicant")).status_code == 404  # closed without it

    desk = browser("erika")
    home = desk.get(reverse("citizen:home")).content.decode()
    resume = reverse("citizen:resume_draft", args=[draft.uuid])
    assert resume in home

    going_on = desk.get(resume)
    assert going_on.status_code == 302
    assert going_on["Location"] == step_url(draft, "address")  # the first step not yet done
    page = desk.get(step_url(draft, "applicant"))
    assert page.status_code == 200
    assert 'value="Erika"' in page.content.decode()
    answered = desk.post(step_url(draft, "address"), VALID_ANSWERS["address"])
    assert answered.status_code == 302
    draft.refresh_from_db()
    assert "address" in draft.completed_steps


def test_another_citizen_cannot_open_the_draft(offering):
    erika = browser("erika")
    draft = start_draft_in(erika, "applicant")
    jonas = browser("jonas")

    for url in (
        step_url(draft, "applicant"),
        reverse("submissions:summary", args=[draft.uuid]),
        reverse("submissions:save_for_later", args=[draft.uuid]),
        reverse("citizen:resume_draft", args=[draft.uuid]),
    ):
        assert jonas.get(url).status_code == 404, url
    assert jonas.post(step_url(draft, "applicant"), VALID_ANSWERS["applicant"]).status_code == 404
    assert (
        reverse("citizen:resume_draft", args=[draft.uuid])
        not in jonas.get(reverse("citizen:home")).content.decode()
    )


def test_not_even_on_the_same_browser_after_logging_in_as_someone_else(offering):
    shared = browser("erika")
    draft = start_draft_in(shared, "applicant")
    log_in(shared, "jonas", "low")  # no log-out in between: the session (and its list) stays

    assert shared.get(step_url(draft, "applicant")).status_code == 404


def test_without_a_log_in_the_draft_stays_closed_even_to_its_session(offering):
    erika = browser("erika")
    draft = start_draft_in(erika, "applicant")
    session = erika.session  # the log-in is gone, the session's list of drafts is not
    del session["amtsweg_citizen"]
    session.save()

    assert erika.get(step_url(draft, "applicant")).status_code == 404


def test_anonymous_drafts_stay_with_their_session(offering):
    anonymous = browser()
    draft = start_draft_in(anonymous, "applicant")
    assert draft.citizen is None
    assert anonymous.get(step_url(draft, "applicant")).status_code == 200
    assert browser().get(step_url(draft, "applicant")).status_code == 404
    assert browser("erika").get(step_url(draft, "applicant")).status_code == 404


def test_a_citizens_resume_mail_leads_into_the_account(offering, settings):
    erika = browser("erika")
    draft = start_draft_in(erika, "applicant")
    link = request_resume_mail(draft, email="erika@example.org")

    link.token_hash = hash_resume_token("an-older-token")
    link.save(update_fields=["token_hash"])

    url = resume_url_for(draft, token="an-older-token")

    in_account = reverse("citizen:resume_draft", args=[draft.uuid])
    assert url == f"{settings.BASE_URL}{in_account}"
    stranger = browser()
    by_token = stranger.get(reverse("submissions:resume", args=["an-older-token"]))
    assert by_token.status_code == 302 and by_token["Location"] == in_account
    opened = stranger.get(in_account)
    assert opened.status_code == 302 and opened["Location"].startswith(reverse("bundid:login"))
    assert stranger.get(step_url(draft, "applicant")).status_code == 404
