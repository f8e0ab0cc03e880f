"""Moving through pages with the keyboard only (Tab, Shift+Tab, Enter, Space, arrow keys): each
stop must show a visible focus indicator; steps are answered field by field in document order."""

from typing import Any

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


def tab_to_text(page: Any, text: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element reads ``text`` (a button or link, by the name
    the user sees); every stop must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["visible"], f"no visible focus on {state} at {page.url}"
        if state["text"] == text:
            return
    raise AssertionError(f"“{text}” not reached by keyboard on {page.url}")


def type_into(page: Any, name: str, value: str) -> None:
    tab_to(page, f'[name="{name}"]')
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def answer_step(
    page: Any,
    step: dict[str, Any],
    skip: set[str] = frozenset(),
    overrides: dict[str, str] | None = None,
) -> None:
    """Fill a step in document order with the keyboard, then press Enter on Continue. Fields
    locked by the BundID log-in (read-only) are passed by, as the user would."""
    answers = valid_step_post(step)
    for name, value in (overrides or {}).items():
        answers[name] = [value]
    names = page.evaluate(
        "() => [...document.querySelectorAll('form[data-form-logic] [name]')]"
        ".filter(e => e.type !== 'hidden' && e.offsetParent !== null && !e.readOnly)"
        ".map(e => e.name)"
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
