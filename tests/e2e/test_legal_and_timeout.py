"""In a real browser: the legal pages (imprint, privacy, accessibility statement with its
feedback form) pass axe in German and English, and the session timeout warning (WCAG 2.2.1)
opens as an accessible dialog, takes focus, extends the session and gives focus back."""

from typing import Any

import pytest

from amtsweg.core.models import AccessibilityFeedback
from tests.e2e.browsing import Auditor

LEGAL = ["impressum", "datenschutz", "barrierefreiheit"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_legal_pages_and_feedback_pass_axe(
    site: str, page: Any, language: str, transactional_db: None
) -> None:
    audit = Auditor()
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": site}])
    for prefix in ["", "/kommunen/darmstadt"]:
        for name in LEGAL:
            page.goto(f"{site}{prefix}/{name}/")
            audit.check(page, f"{prefix or 'platform'} {name}")

    # The footer of the municipality's page leads to its statement.
    page.goto(f"{site}/kommunen/darmstadt/")
    page.locator('footer a[href^="/kommunen/darmstadt/barrierefreiheit/"]').click()
    # An empty message: the error summary takes focus and names the field.
    page.locator("#feedback button[type=submit]").click()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    audit.check(page, "feedback with error")
    page.fill("#id_message", "Der Kontrast der Fußzeile ist zu gering.")
    page.locator("#feedback button[type=submit]").click()
    assert page.url.endswith("/kommunen/darmstadt/barrierefreiheit/danke/")
    audit.check(page, "feedback thanks")
    feedback = AccessibilityFeedback.objects.get(municipality__slug="darmstadt")
    assert feedback.page == "/kommunen/darmstadt/"
    audit.assert_clean()


def test_session_timeout_dialog(site: str, page: Any, settings: Any, transactional_db: None):
    # A session of 30 s with the warning 28 s before its end: the dialog opens after ~2 s.
    settings.SESSION_COOKIE_AGE = 30
    settings.AMTSWEG_SESSION_WARNING_SECONDS = 28
    audit = Auditor()
    page.goto(f"{site}/kommunen/darmstadt/leistungen/hundesteuer/")
    page.locator('form[action$="/hundesteuer/antrag/"] button').click()
    first_input = page.locator("form[data-form-logic] input:not([type=hidden])").first
    first_input.focus()
    field_id = first_input.get_attribute("id")

    dialog = page.locator("#session-timeout")
    dialog.wait_for(state="visible", timeout=8_000)
    assert dialog.get_attribute("role") == "alertdialog"
    assert page.evaluate("document.activeElement.hasAttribute('data-extend')")
    audit.check(page, "step with timeout dialog")

    with page.expect_response(lambda r: r.url.endswith("/sitzung/verlaengern/")) as answer:
        page.locator("#session-timeout [data-extend]").click()
    assert answer.value.status == 200
    assert answer.value.json()["expires_in"] == 30
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == field_id
    assert page.locator("#session-timeout-status").inner_text() != ""

    # It comes back before the extended session ends; Escape closes it.
    dialog.wait_for(state="visible", timeout=8_000)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == field_id
    audit.assert_clean()
