"""Trust levels per solution: a citizen below the level a service needs is sent to log in
again at that level, with an explanation, and comes back where they were; the level reached,
the citizen account and, for an organisation account, the organisation are stored with the
submission."""

import pytest
from django.urls import reverse

from amtsweg.identity.bundid.models import Citizen
from amtsweg.submissions.models import Submission
from tests.factories import OfferingFactory, SolutionVersionFactory, form_definition
from tests.form_filling import valid_step_post
from tests.saml_flow import (
    english,  # noqa: F401 (fixture)
    log_in,
    saml_settings,  # noqa: F401 (fixture)
    saml_var_dir,  # noqa: F401 (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("saml_settings", "english")]


@pytest.fixture
def substantial_offering(darmstadt):
    version = SolutionVersionFactory(trust_level="substantial", form_definition=form_definition())
    return OfferingFactory(municipality=darmstadt, solution_version=version, slug="ausweis")


def urls(offering):
    slug = offering.municipality.slug
    return (
        reverse("catalog:offering", args=[slug, offering.slug]),
        reverse("submissions:start", args=[slug, offering.slug]),
    )


def fill_and_submit(client, first_step_url, offering):
    url = first_step_url
    for step in offering.solution_version.form_definition["steps"]:
        response = client.post(url, valid_step_post(step))
        assert response.status_code == 302, response.content[:3000]
        url = response["Location"]
    assert url.endswith("/zusammenfassung/")
    done = client.post(url)
    assert done.status_code == 302 and done["Location"].endswith("/bestaetigung/")
    return Submission.objects.get()


def test_anonymous_visitor_is_sent_to_log_in_with_the_required_level(client, substantial_offering):
    _offering_page, start = urls(substantial_offering)

    response = client.post(start)

    assert response.status_code == 302
    assert response["Location"].startswith("/saml/login/?level=substantial&next=")
    page = client.get(response["Location"])
    assert b"This service needs the trust level substantial" in page.content
    assert b"You are not logged in." in page.content
    assert not Submission.objects.exists()


def test_step_up_from_low_to_substantial_then_apply(client, substantial_offering):
    offering_page, start = urls(substantial_offering)
    log_in(client, "erika", "low", next_url=offering_page)

    response = client.post(start)
    assert response["Location"].startswith("/saml/login/?level=substantial")
    explanation = client.get(response["Location"]).content.decode()
    assert "This service needs the trust level substantial (e.g. ELSTER certificate" in explanation
    assert "You are logged in with low." in explanation
    assert not Submission.objects.exists()

    back = log_in(client, "erika", "substantial", next_url=offering_page)
    assert back["Location"] == offering_page

    first_step = client.post(start)
    assert "/schritt/" in first_step["Location"]
    submission = fill_and_submit(client, first_step["Location"], substantial_offering)

    assert submission.is_submitted
    assert submission.trust_level == "substantial"
    assert submission.citizen == Citizen.objects.get(pseudonym="testidp-erika-mustermann-7Qd2")
    assert submission.on_behalf_of_name == ""


def test_every_step_asks_for_the_level_again_when_the_session_drops_below(
    client, substantial_offering
):
    offering_page, start = urls(substantial_offering)
    log_in(client, "erika", "high", next_url=offering_page)
    step_url = client.post(start)["Location"]
    assert client.get(step_url).status_code == 200

    log_in(client, "erika", "low")  # a new log-in at a lower level replaces the session's

    for method in (client.get, client.post):
        response = method(step_url)
        assert response.status_code == 302
        assert response["Location"].startswith("/saml/login/?level=substantial&next=")
        assert "schritt" in response["Location"]
    summary = step_url.split("/schritt/")[0] + "/zusammenfassung/"
    assert client.get(summary)["Location"].startswith("/saml/login/?level=substantial")


def test_the_level_reached_at_submit_is_stored(client, darmstadt):
    version = SolutionVersionFactory(trust_level="low", form_definition=form_definition())
    offering = OfferingFactory(municipality=darmstadt, solution_version=version, slug="low")
    offering_page, start = urls(offering)
    log_in(client, "jonas", "high", next_url=offering_page)

    submission = fill_and_submit(client, client.post(start)["Location"], offering)

    assert submission.trust_level == "high"


def test_anonymous_services_need_no_log_in(client, offering):
    _page, start = urls(offering)
    assert "/schritt/" in client.post(start)["Location"]
    assert Submission.objects.get().trust_level == "none"
    assert Submission.objects.get().citizen is None


def test_organisation_is_recorded_with_the_submission(client, substantial_offering):
    offering_page, start = urls(substantial_offering)
    log_in(client, "musterbau", "substantial", next_url=offering_page)

    submission = fill_and_submit(client, client.post(start)["Location"], substantial_offering)

    assert submission.on_behalf_of_name == "Musterbau GmbH"
    assert submission.on_behalf_of_id == "HRB 12345 Darmstadt"
    assert submission.citizen.pseudonym == "testidp-max-bauer-musterbau-P0s9"
    own_area = client.get(reverse("citizen:home")).content.decode()
    assert submission.reference_number in own_area and "for Musterbau GmbH" in own_area


def test_the_next_address_stays_on_this_site(client):
    response = client.get("/saml/login/?level=low&next=https://evil.example/")
    assert b'value="https://evil.example/"' not in response.content
    assert b'href="https://evil.example/"' not in response.content
    assert b'name="next" value="/"' in response.content
