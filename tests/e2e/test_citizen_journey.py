"""The citizen's journey in a real browser, in German and in English: find the municipality by
postcode, choose the dog-tax service, fill every step (with an error on the way and an upload),
check the summary, submit, read the receipt and look the application up on the status page.
axe-core checks every page on the way; screenshots of the key pages go to artifacts/."""

import re
from pathlib import Path
from typing import Any

import pytest

from amtsweg.catalog.models import Offering
from amtsweg.submissions.models import Submission
from tests.e2e.browsing import (
    Auditor,
    choose,
    english_leftovers,
    english_phrases,
    fill_step,
    screenshot,
    step_key,
    switch_language,
    write_pdf,
)

CONTINUE = "form[data-form-logic] .amtsweg-actions button[type=submit]"


def dog_tax_steps(transactional_db: None) -> dict[str, dict[str, Any]]:
    offering = Offering.objects.select_related("solution_version").get(
        municipality__slug="darmstadt", slug="hundesteuer"
    )
    return {step["key"]: step for step in offering.solution_version.form_definition["steps"]}


def shoot(page: Any, language: str, name: str) -> None:
    screenshot(page, f"{language}-{name}")


@pytest.mark.parametrize("language", ["de", "en"])
def test_dog_tax_journey_with_error_and_upload(
    site: str, page: Any, language: str, tmp_path: Path, transactional_db: None
) -> None:
    audit = Auditor()
    steps = dog_tax_steps(transactional_db)
    page.goto(f"{site}/")
    if language == "en":
        switch_language(page, "en")
    audit.check(page, "home")
    shoot(page, language, "01-home")

    page.fill("#q", "64283")
    page.locator('form[role="search"] button[type="submit"]').click()
    audit.check(page, "search results")
    page.locator('a[href="/kommunen/darmstadt/"]').click()
    audit.check(page, "municipality")
    shoot(page, language, "02-municipality")

    page.locator('a[href$="/hundesteuer/"]').first.click()
    audit.check(page, "service")
    shoot(page, language, "03-service")
    page.locator('form[action$="/hundesteuer/antrag/"] button').click()

    # Step 1 with a mistake: the postcode has four digits.
    first = step_key(page.url)
    assert first == "halter"
    audit.check(page, "step halter")
    shoot(page, language, "04-step-1")
    postcode = next(f for f in steps[first]["fields"] if f["type"] == "postcode")["key"]
    fill_step(page, steps[first], overrides={postcode: "6428"})
    page.locator(CONTINUE).click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Fehler:" if language == "de" else "Error:")
    audit.check(page, "step halter with error")
    shoot(page, language, "05-error")
    summary.locator(f'a[href="#field-{postcode}"]').click()
    assert page.evaluate("document.activeElement.id") == f"field-{postcode}"
    page.keyboard.press("End")
    page.keyboard.type("3")  # the applicant completes the postcode where focus is
    assert page.input_value(f"#field-{postcode}") == "64283"
    page.locator(CONTINUE).click()

    # The following steps: the listed-dog step is skipped, the exemption step has an upload.
    shots = 6
    visited: list[str] = []
    while key := step_key(page.url):
        assert key not in visited, f"step {key} again after {visited}"
        visited.append(key)
        audit.check(page, f"step {key}")
        if page.evaluate("document.activeElement === document.body") is False:
            pytest.fail(f"focus after a step change is not at the top: {page.url}")
        shoot(page, language, f"{shots:02d}-step-{key}")
        shots += 1
        if key == "befreiung":
            choose(page, "exemption_requested", "yes")
            reason = page.locator('[name="exemption_reason"]')
            reason.wait_for(state="visible")  # shown without a reload (form logic)
            reason.fill("Blindenführhund" if language == "de" else "Guide dog")
            page.set_input_files(
                '[name="exemption_evidence"]', str(write_pdf(tmp_path / "nachweis.pdf"))
            )
            audit.check(page, "step befreiung, exemption requested")
        else:
            fill_step(page, steps[key])
        page.locator(CONTINUE).click()
        page.wait_for_load_state()
        assert not page.locator("#error-summary").count(), page.content()[:3000]

    assert page.url.endswith("/zusammenfassung/")
    audit.check(page, "summary")
    shoot(page, language, f"{shots:02d}-summary")
    assert "nachweis.pdf" in page.inner_text("main")
    page.locator("main form button[type=submit]").click()

    reference = page.inner_text("#reference-number").strip()
    access_code = page.inner_text("#access-code").strip()
    assert re.fullmatch(r"DA-\d{4}-\d{6}", reference)
    audit.check(page, "confirmation")
    shoot(page, language, f"{shots + 1:02d}-confirmation")
    submission = Submission.objects.get(reference_number=reference)
    assert submission.attachments.count() == 1

    page.locator('main a[href="/status/"]').click()
    audit.check(page, "status lookup")
    page.fill('[name="reference_number"]', reference)
    page.fill('[name="access_code"]', access_code)
    page.locator("main form button[type=submit]").click()
    page.locator("#current-status").wait_for()
    assert page.evaluate("document.documentElement.lang") == language
    audit.check(page, "status")
    shoot(page, language, f"{shots + 2:02d}-status")
    audit.assert_clean()
    if language == "de":
        leftovers = english_leftovers(audit.texts)
        assert not leftovers, "English text on German pages:\n" + "\n".join(leftovers)


def test_axe_reports_a_violation(page: Any) -> None:
    """The harness itself: a page with an unlabelled input and an image without text fails."""
    page.set_content('<html lang="de"><body><main><img src="x.png"><input></main></body></html>')
    audit = Auditor()
    audit.check(page, "broken page")
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)[\s\S]*label"):
        audit.assert_clean()


def test_catalogue_gives_english_phrases_to_look_for() -> None:
    phrases = english_phrases()
    assert "Skip to main content" in phrases
    assert english_leftovers({"page": "Bitte  Skip to\nmain content"}) == [
        "page: “Skip to main content”"
    ]
