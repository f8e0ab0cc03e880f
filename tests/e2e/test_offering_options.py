"""In Chromium the step's logic script reads the offering's option values too: a field shown
only when the municipality sends by post and the applicant wants it appears without a reload
in the offering that sends by post, and never in the one that has it collected."""

from typing import Any

from amtsweg.catalog.models import Offering
from amtsweg.tenants.models import Municipality
from tests.e2e.browsing import choose
from tests.factories import OfferingFactory, SolutionFactory, SolutionVersionFactory
from tests.test_offering_options import BY_POST, PICKUP, with_delivery

WANTS_NOTE = {"and": [BY_POST, {"var": "wants_note"}]}


def _offerings() -> dict[str, Offering]:
    """One version, two municipalities, two choices; the applicant step holds the fields."""
    definition = with_delivery()
    definition["steps"][0]["fields"] += [
        {
            "key": "wants_note",
            "type": "yesno",
            "label": {"de": "Begleitschreiben beilegen?", "en": "Add a covering note?"},
            "visible_if": BY_POST,
        },
        {
            "key": "note",
            "type": "textarea",
            "label": {"de": "Begleitschreiben", "en": "Covering note"},
            "visible_if": WANTS_NOTE,
        },
    ]
    darmstadt = Municipality.objects.get(slug="darmstadt")
    solution = SolutionFactory(publisher=darmstadt, slug="ausweis-optionen")
    version = SolutionVersionFactory(solution=solution, form_definition=definition, options=PICKUP)
    return {
        choice: OfferingFactory(
            municipality=Municipality.objects.get(slug=slug),
            solution_version=version,
            slug="ausweis-optionen",
            option_values={"pickup": choice},
        )
        for slug, choice in (("darmstadt", "office"), ("modautal", "post"))
    }


def _first_step(page: Any, site: str, offering: Offering) -> None:
    page.goto(f"{site}/kommunen/{offering.municipality.slug}/leistungen/{offering.slug}/")
    page.locator(f'form[action$="/{offering.slug}/antrag/"] button').click()
    page.locator("form[data-form-logic]").wait_for()
    # A field whose condition reads the same step comes from the server shown; the logic
    # script hides it on DOMContentLoaded, so the page is only checked after that.
    page.wait_for_load_state("domcontentloaded")


def test_the_logic_script_reads_the_offering_s_options(
    site: str, page: Any, transactional_db: None
) -> None:
    offerings = _offerings()

    _first_step(page, site, offerings["post"])
    note = page.locator('[name="note"]')
    assert page.locator('[name="wants_note"]').first.is_visible()
    assert not note.is_visible()
    page.evaluate("window.__samePage = true")
    choose(page, "wants_note", "yes")
    note.wait_for(state="visible")  # the rule needs $options.pickup == "post" in the browser
    assert page.evaluate("window.__samePage === true")

    _first_step(page, site, offerings["office"])
    question = page.locator('[data-name="wants_note"]')
    assert question.count() == 1  # on the page, but hidden here: this town has it collected
    assert not question.is_visible()
    assert not page.locator('[name="note"]').is_visible()
