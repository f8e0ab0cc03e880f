"""The citizen's journey with a BundID log-in, in German and in English. The residents' parking
permit needs the trust level "substantial": starting it leads to the log-in at the bundled test
identity provider, where the citizen picks the test person and the level; back on the form, name
and address come from the identity and are locked. Every step is filled (one mistake on the
way), the vehicle registration is uploaded, the summary checked, the application submitted and
the receipt PDF downloaded and read. axe-core checks every page; the language stays as chosen."""

import re
from pathlib import Path
from typing import Any

import pytest

from amtsweg.catalog.models import Offering
from amtsweg.submissions.models import Submission
from tests.e2e.accounts import log_in_at_test_idp
from tests.e2e.browsing import (
    Auditor,
    choose,
    download,
    english_leftovers,
    fill_step,
    make_receipt,
    pdf_text,
    screenshot,
    step_key,
    switch_language,
    translated,
    write_pdf,
)

#: What the test identity provider's Erika Mustermann brings along, locked on the form.
LOCKED = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "street": "Luisenplatz 5",
    "postcode": "64283",
    "city": "Darmstadt",
}


def parking_permit() -> Offering:
    return Offering.objects.select_related("solution_version").get(
        municipality__slug="darmstadt", slug="bewohnerparkausweis"
    )


def press(page: Any, name: str) -> None:
    """Press the button the user reads as ``name`` (platform text, in the page's language)."""
    language = page.evaluate("document.documentElement.lang")
    page.get_by_role("button", name=translated(name, language), exact=True).click()


def shoot(page: Any, language: str, name: str) -> None:
    """Screenshots of the German pages only (the English ones look the same)."""
    if language == "de":
        screenshot(page, f"de-bundid-{name}")


@pytest.mark.parametrize("language", ["de", "en"])
def test_parking_permit_with_bundid_log_in(
    site: str, page: Any, language: str, tmp_path: Path, transactional_db: None
) -> None:
    audit = Auditor()
    offering = parking_permit()
    steps = {step["key"]: step for step in offering.solution_version.form_definition["steps"]}
    upload = next(f for f in steps["fahrzeug"]["fields"] if f["type"] == "file")

    page.goto(f"{site}/")
    if language != "de":
        switch_language(page, language)
    page.get_by_label(translated("Municipality or postcode", language)).fill("Darmstadt")
    page.get_by_role("search").get_by_role("button").click()
    audit.check(page, "search results")
    page.locator('main a[href="/kommunen/darmstadt/"]').first.click()
    page.get_by_role("link", name=offering.title).first.click()
    audit.check(page, "service")

    # Not logged in: starting the application leads to the BundID log-in first.
    press(page, "Start application")
    assert "/saml/login/" in page.url
    assert "substantial" in page.url
    shoot(page, language, "00-login")
    idp_shot = "de-bundid-01-test-idp" if language == "de" else None
    log_in_at_test_idp(page, audit, "erika", "substantial", screenshot_as=idp_shot)
    assert page.url.endswith(f"/leistungen/{offering.slug}/"), page.url
    assert "Erika Mustermann" in page.inner_text("header")
    assert page.evaluate("document.documentElement.lang") == language
    audit.check(page, "service, logged in")
    press(page, "Start application")

    # Step 1: name and address from BundID, read-only; the e-mail prefilled but editable.
    assert step_key(page.url) == "antragsteller"
    for name, value in LOCKED.items():
        field = page.locator(f'[name="{name}"]')
        assert field.input_value() == value, name
        assert field.get_attribute("readonly") is not None, f"{name} is not locked"
    email = page.locator('[name="email"]')
    assert email.input_value() == "erika.mustermann@example.org"
    assert email.get_attribute("readonly") is None
    audit.check(page, "step 1, prefilled")
    shoot(page, language, "02-prefilled")

    # A mistake: the e-mail address loses its domain.
    email.fill("erika.mustermann@")
    press(page, "Continue")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith(translated("Error:", language))
    audit.check(page, "step 1 with error")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "email"
    page.keyboard.press("End")
    page.keyboard.type("example.org")
    for name, value in LOCKED.items():  # the locked fields kept their values through the error
        assert page.locator(f'[name="{name}"]').input_value() == value
    press(page, "Continue")

    # Vehicle: the registration certificate is uploaded; then the validity.
    assert step_key(page.url) == "fahrzeug", page.inner_text("main")[:2000]
    audit.check(page, "step vehicle")
    fill_step(page, steps["fahrzeug"], overrides={"registered_keeper": "yes"})
    page.get_by_label(upload["label"][language]).set_input_files(
        str(write_pdf(tmp_path / "fahrzeugschein.pdf"))
    )
    shoot(page, language, "03-upload")
    press(page, "Continue")
    assert step_key(page.url) == "gueltigkeit", page.inner_text("main")[:2000]
    audit.check(page, "step validity")
    fill_step(page, steps["gueltigkeit"])
    press(page, "Continue")

    assert page.url.endswith("/zusammenfassung/"), page.inner_text("main")[:2000]
    main = page.inner_text("main")
    assert "fahrzeugschein.pdf" in main and "Luisenplatz 5" in main
    audit.check(page, "summary")
    press(page, "Submit application")

    reference = page.inner_text("#reference-number").strip()
    assert re.fullmatch(r"DA-\d{4}-\d{6}", reference)
    audit.check(page, "confirmation")
    shoot(page, language, "04-confirmation")
    submission = Submission.objects.get(reference_number=reference)
    assert submission.citizen.pseudonym.startswith("testidp-erika")
    assert submission.trust_level == "substantial"
    assert submission.language == language
    assert [a.original_name for a in submission.attachments.all()] == ["fahrzeugschein.pdf"]

    # The worker has not made the receipt yet: the link says so; "Try again" downloads it.
    page.locator("#receipt-link").click()
    page.get_by_role(
        "heading", name=translated("Your receipt is being prepared", language)
    ).wait_for()
    audit.check(page, "receipt being prepared")
    make_receipt(submission.pk)
    again = page.get_by_role("link", name=translated("Try again", language))
    receipt = pdf_text(download(page, again))
    assert reference in receipt
    assert "Erika" in receipt and "Mustermann" in receipt
    audit.assert_clean()
    other_language = [where for where in audit.pages if f"[{language}]" not in where]
    assert not other_language, f"the language switch was lost: {other_language}"
    if language == "de":
        leftovers = english_leftovers(audit.texts)
        assert not leftovers, "English text on German pages:\n" + "\n".join(leftovers)


def test_bundid_log_in_works_without_javascript(site: str, browser: Any) -> None:
    """Without JavaScript the SAML forwarding pages stay and say what to do; their button
    carries the log-in on, there and back. (axe-core cannot run where scripts are off.)"""
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{site}/mein-amtsweg/")
        page.get_by_role("button", name=translated("Continue to BundID", "de")).click()
        heading = translated("Forwarding", "de")
        page.get_by_role("heading", name=heading).wait_for()
        press(page, "Continue")
        choose(page, "level", "low")
        press(page, "Log in")
        page.get_by_role("heading", name=heading).wait_for()
        press(page, "Continue")
        page.wait_for_url("**/mein-amtsweg/")
        assert "Erika Mustermann" in page.inner_text("header")
    finally:
        context.close()
