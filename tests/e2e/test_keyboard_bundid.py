"""The parking-permit application with a BundID log-in, by keyboard only: Start, the log-in
page, the test identity provider (trust level chosen with the arrow keys), back to the form
whose locked fields the keyboard passes by, every step, the summary and the receipt download;
every stop shows a visible focus."""

import re
from pathlib import Path
from typing import Any

from amtsweg.submissions.models import Submission
from tests.e2e.browsing import make_receipt, pdf_text, step_key, translated
from tests.e2e.keyboard import answer_step, focused, tab_to, tab_to_text
from tests.e2e.test_bundid_journey import LOCKED, parking_permit


def enter(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_keyboard_only_application_with_bundid(
    site: str, page: Any, transactional_db: None
) -> None:
    offering = parking_permit()
    steps = {step["key"]: step for step in offering.solution_version.form_definition["steps"]}
    service = f"{site}/kommunen/darmstadt/leistungen/{offering.slug}/"
    page.goto(service)
    tab_to_text(page, translated("Start application", "de"))
    enter(page)
    assert "/saml/login/" in page.url

    # The log-in page, then the test identity provider (the page forwards by itself).
    tab_to_text(page, translated("Continue to BundID", "de"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/testidp/sso/")
    tab_to(page, '[name="person"]')  # the group's ticked radio: the first person
    assert page.evaluate("document.activeElement.value") == "erika"
    tab_to(page, '[name="level"]', limit=2)  # the level the service asks for is ticked
    assert page.evaluate("document.activeElement.value") == "substantial"
    page.keyboard.press("ArrowDown")  # the arrow moves to "high" and ticks it
    assert page.locator('[name="level"][value="high"]').is_checked()
    tab_to_text(page, translated("Log in", "de"))
    page.keyboard.press("Enter")
    page.wait_for_url(service)

    tab_to_text(page, translated("Start application", "de"))
    enter(page)
    assert step_key(page.url) == "antragsteller"
    for name, value in LOCKED.items():
        assert page.locator(f'[name="{name}"]').input_value() == value
    answers = {"fahrzeug": {"registered_keeper": "yes"}}
    while (key := step_key(page.url)) is not None:
        assert page.evaluate("document.activeElement === document.body")
        answer_step(page, steps[key], overrides=answers.get(key))
        assert not page.locator("#error-summary").count(), page.inner_text("main")[:2000]
        assert step_key(page.url) != key

    assert page.url.endswith("/zusammenfassung/")
    tab_to_text(page, translated("Submit application", "de"), limit=80)
    enter(page)
    reference = page.inner_text("#reference-number").strip()
    assert re.fullmatch(r"DA-\d{4}-\d{6}", reference)
    submission = Submission.objects.get(reference_number=reference)
    assert submission.trust_level == "high"
    assert submission.data["given_name"] == "Erika"

    make_receipt(submission.pk)
    tab_to(page, "#receipt-link")
    assert focused(page)["visible"]
    with page.expect_download() as receipt:
        page.keyboard.press("Enter")
    assert reference in pdf_text(Path(receipt.value.path()).read_bytes())
