"""The clerk's case view in the browser with the demo cases: the answer's photo shown inline
(the image really loads under its Content-Security-Policy), the decision draft kept between
visits, and the offering municipality's read-only list of its IKZ cases; axe-core on each."""

from typing import Any

from amtsweg.cases.models import Case
from amtsweg.demo.cases import KEY_PREFIX
from tests.e2e.accounts import sign_in_staff
from tests.e2e.browsing import Auditor, screenshot, translated

REASONING = "Der Nachweis liegt vor; die Erlaubnis kann erteilt werden."


def demo_case(name: str) -> Case:
    return Case.objects.get(submission__idempotency_key=KEY_PREFIX + name)


def test_answer_photo_preview_and_decision_draft(site: str, page: Any, transactional_db: None):
    audit = Auditor()
    case = demo_case("nachforderung-beantwortet")
    sign_in_staff(page, site, "darmstadt-sb")

    page.goto(f"{site}/backoffice/vorgaenge/{case.uuid}/")
    image = page.locator("img.amtsweg-preview")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [120, 80]
    audit.check(page, "case view with a photo")
    screenshot(page, "clerk-case-preview")

    page.goto(f"{site}/backoffice/vorgaenge/{case.uuid}/bescheid/")
    page.get_by_label(translated("Reasoning", "de")).fill(REASONING)
    page.get_by_role("button", name=translated("Save draft", "de")).click()
    page.wait_for_url(f"**/vorgaenge/{case.uuid}/bescheid/")
    page.goto(f"{site}/backoffice/vorgaenge/{case.uuid}/")  # away and back again
    page.goto(f"{site}/backoffice/vorgaenge/{case.uuid}/bescheid/")
    assert page.get_by_label(translated("Reasoning", "de")).input_value() == REASONING
    assert page.locator("#draft-restored").is_visible()
    audit.check(page, "decision with a saved draft")
    audit.assert_clean()


def test_offering_municipality_follows_its_ikz_case(site: str, page: Any, transactional_db: None):
    audit = Auditor()
    case = demo_case("ikz-entschieden")
    sign_in_staff(page, site, "modautal-sb")

    page.goto(f"{site}/backoffice/posteingang/modautal/ikz/")
    link = page.get_by_role("link", name=case.submission.reference_number)
    audit.check(page, "IKZ cases of Modautal")
    link.click()
    page.wait_for_url(f"**/vorgaenge/{case.uuid}/")
    heading = translated("Actions", "de")
    assert page.get_by_role("heading", name=heading).count() == 0  # read-only
    assert page.get_by_text(translated("decision", "de").capitalize()).count() >= 1
    audit.check(page, "IKZ case, read-only")
    audit.assert_clean()
