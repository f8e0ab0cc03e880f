"""Imprint, privacy statement and accessibility statement (BITV 2.0 § 7) for the platform and
per municipality, the accessibility feedback form, the footer that links them, and the session
extension behind the timeout warning (WCAG 2.2.1)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.core.forms import MESSAGE_MAX_LENGTH
from amtsweg.core.legal import FEEDBACK_PER_SESSION_PER_HOUR
from amtsweg.core.models import AccessibilityFeedback
from amtsweg.core.tasks import forward_accessibility_feedback
from amtsweg.submissions.models import Submission

PAGES = ["core:imprint", "core:privacy", "core:accessibility"]
#: English headings; the German ones come with the catalogue (test_translations checks that).
HEADINGS = {
    "core:imprint": "Imprint",
    "core:privacy": "Privacy statement",
    "core:accessibility": "Accessibility statement",
}


def client_in(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def darmstadt_contact(darmstadt):
    darmstadt.authority_name = "Magistrat der Wissenschaftsstadt Darmstadt"
    darmstadt.street = "Luisenplatz 5"
    darmstadt.postcode = "64283"
    darmstadt.city = "Darmstadt"
    darmstadt.email = "barrierefrei@darmstadt.example"
    darmstadt.represented_by = "Oberbürgermeister"
    darmstadt.save()
    return darmstadt


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_municipality_page_names_the_municipality(darmstadt_contact, name, language):
    response = client_in(language).get(reverse(name, args=["darmstadt"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    if language == "en":
        assert HEADINGS[name] in page
    assert "Magistrat der Wissenschaftsstadt Darmstadt" in page
    assert "Luisenplatz 5" in page
    # The footer links this municipality's three pages.
    for other in PAGES:
        assert f'href="{reverse(other, args=["darmstadt"])}' in page


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_platform_pages_render(db, name, language):
    response = client_in(language).get(reverse(name))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    if language == "en":
        assert HEADINGS[name] in response.content.decode()


def test_unknown_municipality_is_404(db):
    assert Client().get(reverse("core:imprint", args=["atlantis"])).status_code == 404


def test_statement_has_the_required_sections(darmstadt_contact):
    page = client_in("en").get(reverse("core:accessibility", args=["darmstadt"])).content
    page = page.decode()
    for section in [
        "Status of compliance",
        "partially compliant",
        "Non-accessible content",
        "Preparation of this statement",
        "axe-core",
        "Feedback and contact",
        "Enforcement procedure",
        "Mauerstraße 53",
        "10117 Berlin",
    ]:
        assert section in page, section
    # Citizen date fields are three labelled boxes (KERN "Input Date"), no longer the
    # browser's own date input, so the statement must not list that as a gap any more.
    assert "date input" not in page


def test_a_missing_imprint_field_is_marked_for_completion(darmstadt):
    page = client_in("en").get(reverse("core:imprint", args=["darmstadt"])).content.decode()
    assert "To be completed by the municipality" in page


def test_privacy_lists_only_necessary_cookies(darmstadt):
    page = client_in("en").get(reverse("core:privacy", args=["darmstadt"])).content.decode()
    for item in ["Form data", "Log-in attributes", "Session", "CSRF", "Language", "no tracking"]:
        assert item in page, item


def test_footer_of_municipality_and_service_pages_names_the_municipality(offering):
    client = client_in("en")
    for url in [
        reverse("catalog:municipality", args=["darmstadt"]),
        reverse("catalog:offering", args=["darmstadt", offering.slug]),
    ]:
        page = client.get(url).content.decode()
        footer = page.split('<footer class="amtsweg-footer">')[1]
        assert "Online services of Darmstadt" in footer
        assert reverse("core:accessibility", args=["darmstadt"]) in footer


def test_footer_elsewhere_links_the_platform_pages(db):
    page = client_in("en").get(reverse("submissions:status")).content.decode()
    footer = page.split('<footer class="amtsweg-footer">')[1]
    assert f'href="{reverse("core:accessibility")}?von=/status/"' in footer
    assert f'href="{reverse("core:imprint")}"' in footer


# --- feedback ---------------------------------------------------------------------------------


def test_feedback_is_stored_enqueued_and_mailed(darmstadt_contact):
    client = client_in("de")
    url = reverse("core:accessibility", args=["darmstadt"])
    response = client.post(
        url,
        {
            "message": "Der Kalender lässt sich nicht mit der Tastatur bedienen.",
            "email": "",
            "page": "/kommunen/darmstadt/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("core:feedback_thanks", args=["darmstadt"])
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.municipality == darmstadt_contact
    assert feedback.page == "/kommunen/darmstadt/"
    job = DBTaskResult.objects.get(task_path=forward_accessibility_feedback.module_path)
    assert job.args_kwargs["args"] == [feedback.pk]
    thanks = client.get(response["Location"]).content.decode()
    assert "Vielen Dank" in thanks or "Thank you" in thanks

    assert forward_accessibility_feedback.call(feedback.pk) == "sent"
    assert forward_accessibility_feedback.call(feedback.pk) == "already sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["barrierefrei@darmstadt.example"]
    assert "Tastatur" in mail.outbox[0].body
    feedback.refresh_from_db()
    assert feedback.sent_at is not None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("   ", "Enter your message"),
        ("x" * (MESSAGE_MAX_LENGTH + 1), f"at most {MESSAGE_MAX_LENGTH} characters"),
    ],
)
def test_empty_or_overlong_feedback_is_refused_with_a_clear_error(darmstadt, message, expected):
    response = client_in("en").post(
        reverse("core:accessibility", args=["darmstadt"]), {"message": message}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert expected in page
    assert "<title>Error:" in page
    assert not AccessibilityFeedback.objects.exists()


def test_feedback_is_rate_limited_per_session(darmstadt):
    client = client_in("en")
    url = reverse("core:accessibility", args=["darmstadt"])
    for _ in range(FEEDBACK_PER_SESSION_PER_HOUR):
        assert client.post(url, {"message": "Barriere"}).status_code == 302
    response = client.post(url, {"message": "Noch eine"})
    assert response.status_code == 429
    assert "Please wait an hour" in response.content.decode()
    assert AccessibilityFeedback.objects.count() == FEEDBACK_PER_SESSION_PER_HOUR


def test_feedback_form_is_csrf_protected(darmstadt):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("core:accessibility"), {"message": "Barriere"})
    assert response.status_code == 403
    assert not AccessibilityFeedback.objects.exists()


def test_platform_feedback_goes_to_the_configured_address(db, settings):
    settings.AMTSWEG_ACCESSIBILITY_EMAIL = "a11y@amtsweg.example"
    client_in("en").post(reverse("core:accessibility"), {"message": "Kontrast zu gering"})
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.municipality is None
    assert forward_accessibility_feedback.call(feedback.pk) == "sent"
    assert mail.outbox[0].to == ["a11y@amtsweg.example"]


# --- session extension ------------------------------------------------------------------------


def test_step_page_carries_the_timeout_warning(offering):
    client = client_in("en")
    client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    draft = Submission.objects.latest("created_at")
    page = client.get(reverse("submissions:step", args=[draft.uuid, "applicant"])).content
    page = page.decode()
    assert 'role="alertdialog"' in page
    assert f'data-expires-in="{settings.SESSION_COOKIE_AGE}"' in page
    assert "session-timeout.js" in page
    assert "Stay logged in" in page


def test_extending_moves_the_session_expiry_forward(offering):
    client = client_in("en")
    client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    session.expire_date = timezone.now() + timedelta(minutes=1)
    session.save()

    response = client.post(reverse("core:extend_session"))

    assert response.status_code == 200
    assert response.json()["expires_in"] == settings.SESSION_COOKIE_AGE
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_extending_needs_post_and_csrf(db):
    assert Client().get(reverse("core:extend_session")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("core:extend_session")).status_code == 403


def test_the_footer_link_tells_the_statement_which_page_the_barrier_is_on(darmstadt):
    client = client_in("en")
    page = client.get(reverse("catalog:municipality", args=["darmstadt"])).content.decode()
    link = f"{reverse('core:accessibility', args=['darmstadt'])}?von=/kommunen/darmstadt/"
    assert f'href="{link}"' in page
    statement = client.get(link).content.decode()
    assert '<input type="hidden" name="page" value="/kommunen/darmstadt/">' in statement
    client.post(link, {"message": "Barriere", "page": "https://evil.example/"})
    assert AccessibilityFeedback.objects.get().page == ""
