"""The dog-tax application with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows; no
pointer): skip link first, a visible focus indicator on everything reached, radio groups by
arrow keys, the error summary focused after a failed step and its links leading to the field."""

from typing import Any

from tests.e2e.browsing import step_key
from tests.form_filling import valid_step_post

FOCUS_STYLE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
    && s.outlineColor !== "rgba(0, 0, 0, 0)" && s.outlineColor !== "transparent";
  const shadow = s.boxShadow && s.boxShadow !== "none";
  return {
    tag: e.tagName, id: e.id, name: e.name || "", text: (e.innerText || "").trim().slice(0, 60),
    visible: outline || shadow, shadow: s.boxShadow,
    outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
  };
}"""


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUS_STYLE)


def tab_to(page: Any, selector: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``selector`` has focus; every stop must show focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = focused(page)
        assert state["visible"], f"no visible focus on {state} at {page.url}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached by keyboard on {page.url}")


def type_into(page: Any, name: str, value: str) -> None:
    tab_to(page, f'[name="{name}"]')
    if page.evaluate("() => document.activeElement.type") == "date":
        # A date input takes its parts as typed digits, in the order of the browser's
        # locale (headless Chromium: month first); 1 January reads the same in any order
        # and is in the past, as the form's dates must be.
        page.keyboard.type("01011990")
        return
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def answer_step(page: Any, step: dict[str, Any], skip: set[str] = frozenset()) -> None:
    """Fill a step in document order with the keyboard, then press Enter on Continue."""
    answers = valid_step_post(step)
    names = page.evaluate(
        "() => [...document.querySelectorAll('form[data-form-logic] [name]')]"
        ".filter(e => e.type !== 'hidden' && e.offsetParent !== null).map(e => e.name)"
    )
    done: set[str] = set()
    for name in names:
        if name in done or name in skip or name not in answers:
            continue
        done.add(name)
        value = answers[name][0]
        kind = page.locator(f'[name="{name}"]').first.get_attribute("type")
        if kind == "radio":
            tab_to(page, f'[name="{name}"]')  # the group's first radio (none is ticked yet)
            while page.evaluate("() => document.activeElement.value") != value:
                page.keyboard.press("ArrowDown")  # arrows move and tick
            if not page.locator(f'[name="{name}"][value="{value}"]').is_checked():
                page.keyboard.press("Space")
        else:
            type_into(page, name, value)
    press_continue(page)


def press_continue(page: Any) -> None:
    tab_to(page, "form[data-form-logic] .amtsweg-actions button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


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
