"""htmx and a little JavaScript improve the steps without being needed: in Chromium a wrong
answer is reported as soon as focus leaves the field (and read out), a conditional field
appears without a reload, a large upload shows its progress; with JavaScript switched off the
same step still reports its errors when it is sent."""

from pathlib import Path
from typing import Any

import pytest

from amtsweg.catalog.models import Offering
from amtsweg.submissions.models import Submission
from tests.e2e.browsing import Auditor, choose, fill_step, step_key, write_pdf

CONTINUE = "form[data-form-logic] .amtsweg-actions button[type=submit]"


def dog_tax_steps() -> dict[str, dict[str, Any]]:
    offering = Offering.objects.select_related("solution_version").get(
        municipality__slug="darmstadt", slug="hundesteuer"
    )
    return {step["key"]: step for step in offering.solution_version.form_definition["steps"]}


def start(page: Any, site: str) -> None:
    page.goto(f"{site}/kommunen/darmstadt/leistungen/hundesteuer/")
    page.locator('form[action$="/hundesteuer/antrag/"] button').click()
    assert step_key(page.url) == "halter"


def postcode_key(steps: dict[str, dict[str, Any]]) -> str:
    return next(f for f in steps["halter"]["fields"] if f["type"] == "postcode")["key"]


def test_inline_validation_reports_and_clears_an_error_without_a_reload(
    site: str, page: Any, transactional_db: None
) -> None:
    steps = dog_tax_steps()
    postcode = postcode_key(steps)
    start(page, site)
    page.evaluate("window.__samePage = true")
    field = page.locator(f"#field-{postcode}")
    error = page.locator(f"#field-{postcode}-error")
    live = page.locator("#inline-validation-status")

    field.fill("6428")
    field.press("Tab")
    error.wait_for()
    assert page.evaluate("window.__samePage === true")  # no page load
    assert page.locator(f"#field-{postcode}").get_attribute("aria-invalid") == "true"
    described = page.locator(f"#field-{postcode}").get_attribute("aria-describedby") or ""
    assert f"field-{postcode}-error" in described.split()
    assert live.inner_text().startswith("Fehler: ")
    assert error.inner_text().split(":", 1)[1].strip() in live.inner_text()
    focused = page.evaluate("document.activeElement.id")
    assert focused and focused != f"field-{postcode}"  # Tab went on; the swap kept it there
    audit = Auditor()
    audit.check(page, "step halter with an inline error")
    audit.assert_clean()

    page.locator(f"#field-{postcode}").fill("64283")
    page.locator(f"#field-{postcode}").press("Tab")
    error.wait_for(state="detached")
    assert page.locator(f"#field-{postcode}").get_attribute("aria-invalid") is None
    assert live.inner_text() == ""


def test_a_wrong_month_is_named_when_focus_leaves_the_date(
    site: str, page: Any, transactional_db: None
) -> None:
    start(page, site)
    page.fill('[name="owner_birth_date.day"]', "1")
    page.fill('[name="owner_birth_date.month"]', "13")
    page.locator('[name="owner_birth_date.year"]').fill("1990")
    assert page.locator("#field-owner_birth_date-error").count() == 0  # inside: no check yet
    page.locator('[name="owner_birth_date.year"]').press("Tab")
    page.locator("#field-owner_birth_date-error").wait_for()
    assert "Geben Sie einen Monat zwischen 1 und 12 an." in page.inner_text(
        "#field-owner_birth_date-error"
    )


def go_to_exemption_step(page: Any, site: str, steps: dict[str, dict[str, Any]]) -> None:
    start(page, site)
    while (key := step_key(page.url)) != "befreiung":
        assert key is not None, page.url
        fill_step(page, steps[key])
        with page.expect_navigation():
            page.locator(CONTINUE).click()


def big_pdf(path: Path) -> Path:
    """A valid PDF of about 1.5 MB (a comment after its end), large enough for the bar."""
    write_pdf(path)
    with path.open("ab") as file:
        file.write(b"%" + b"0" * 1_500_000 + b"\n")
    return path


PROGRESS_RECORDER = """() => {
  const box = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-progress-bar");
  const status = document.getElementById("upload-progress-status");
  const seen = [];
  new MutationObserver(() => {
    seen.push({shown: !box.hidden, value: bar.value, status: status.textContent});
    sessionStorage.setItem("progress", JSON.stringify(seen));
  }).observe(box, {attributes: true, subtree: true, childList: true, characterData: true});
}"""


def test_conditional_field_appears_and_a_large_upload_shows_progress(
    site: str, page: Any, tmp_path: Path, transactional_db: None
) -> None:
    steps = dog_tax_steps()
    go_to_exemption_step(page, site, steps)
    reason = page.locator('[name="exemption_reason"]')
    assert not reason.is_visible()
    page.evaluate("window.__samePage = true")
    choose(page, "exemption_requested", "yes")
    reason.wait_for(state="visible")
    assert page.evaluate("window.__samePage === true")
    reason.fill("Blindenführhund")

    label = page.locator('label[for="upload-progress-bar"]')
    assert label.inner_text() == "Ihre Dateien werden hochgeladen"
    assert not page.locator("#upload-progress").is_visible()
    page.evaluate(PROGRESS_RECORDER)
    page.set_input_files('[name="exemption_evidence"]', str(big_pdf(tmp_path / "gross.pdf")))
    with page.expect_navigation():
        page.locator(CONTINUE).click()
    assert step_key(page.url) != "befreiung"
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress') || '[]')")
    assert seen and seen[0]["shown"], seen
    assert seen[-1]["value"] == 100 and seen[-1]["status"] == "100 % hochgeladen", seen
    draft = Submission.objects.get(uuid=page.url.split("/antrag/")[1].split("/")[0])
    assert [a.original_name for a in draft.attachments.all()] == ["gross.pdf"]


@pytest.fixture
def page_without_javascript(browser: Any) -> Any:
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    yield context.new_page()
    context.close()


def test_without_javascript_the_step_still_reports_errors_when_sent(
    site: str, page_without_javascript: Any, transactional_db: None
) -> None:
    page = page_without_javascript
    steps = dog_tax_steps()
    postcode = postcode_key(steps)
    start(page, site)
    fill_step(page, steps["halter"], overrides={postcode: "6428"})
    page.locator(f"#field-{postcode}").press("Tab")
    assert page.locator(f"#field-{postcode}-error").count() == 0  # nothing checks inline
    page.locator(CONTINUE).click()
    page.locator("#error-summary").wait_for()
    assert step_key(page.url) == "halter"
    assert page.locator(f'#error-summary a[href="#field-{postcode}"]').count() == 1


def test_a_large_upload_with_an_error_elsewhere_keeps_the_file_on_the_error_page(
    site: str, page: Any, tmp_path: Path, transactional_db: None
) -> None:
    go_to_exemption_step(page, site, dog_tax_steps())
    choose(page, "exemption_requested", "yes")  # the reason is now required; left empty
    page.set_input_files('[name="exemption_evidence"]', str(big_pdf(tmp_path / "gross.pdf")))
    with page.expect_navigation():
        page.locator(CONTINUE).click()
    page.locator("#error-summary").wait_for()
    assert step_key(page.url) == "befreiung"
    assert "gross.pdf" in page.inner_text("#field-exemption_evidence-files")
    draft = Submission.objects.get(uuid=page.url.split("/antrag/")[1].split("/")[0])
    assert draft.attachments.count() == 1  # stored once, kept by the second, file-less post
