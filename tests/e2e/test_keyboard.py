"""The dog-tax application with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows; no
pointer): skip link first, a visible focus indicator on everything reached, radio groups by
arrow keys, the error summary focused after a failed step and its links leading to the field."""

from typing import Any

from tests.e2e.browsing import step_key
from tests.e2e.keyboard import answer_step, focused, press_continue, tab_to


def test_keyboard_only_application(site: str, page: Any, transactional_db: None) -> None:
    from amtsweg.catalog.models import Offering

    definition = Offering.objects.get(
        municipality__slug="darmstadt", slug="hundesteuer"
    ).solution_version.form_definition
    steps = {step["key"]: step for step in definition["steps"]}

    page.goto(f"{site}/kommunen/darmstadt/leistungen/hundesteuer/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] in ("Zum Hauptinhalt springen", "Skip to main content")
    assert focused(page)["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, 'form[action$="/hundesteuer/antrag/"] button')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/schritt/halter/")

    # Step 1, first without the postcode: the summary gets focus, its link leads to the field.
    postcode = next(f for f in steps["halter"]["fields"] if f["type"] == "postcode")["key"]
    answer_step(page, steps["halter"], skip={postcode})
    assert page.evaluate("document.activeElement.id") == "error-summary"
    tab_to(page, f'#error-summary a[href="#field-{postcode}"]')
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == postcode
    page.keyboard.type("64283")
    tab_to(page, 'form[data-form-logic] [name="owner_birth_date.day"]', backwards=False, limit=10)
    tab_to(page, f'[name="{postcode}"]', backwards=True, limit=10)  # Shift+Tab goes back
    press_continue(page)

    while (key := step_key(page.url)) is not None:
        assert page.evaluate("document.activeElement === document.body"), page.inner_text("main")[
            :1500
        ]
        answer_step(page, steps[key])
        assert not page.locator("#error-summary").count(), page.inner_text("main")[:2000]
        assert step_key(page.url) != key

    assert page.url.endswith("/zusammenfassung/")
    tab_to(page, "main form button[type=submit]", limit=80)
    page.keyboard.press("Enter")
    page.locator("#reference-number").wait_for()
