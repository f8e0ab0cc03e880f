"""Einer für Alle in the browser: Modautal's admin finds Ober-Ramstadt's parking permit in the
solution library, adopts it with local settings, previews it as a citizen, puts it live, then
follows the required update of the special-use permit and switches to it. axe-core checks
every back-office page on the way (WCAG 2.1 AA)."""

from typing import Any

from amtsweg.catalog.models import Offering, Solution
from tests.e2e.accounts import sign_in_staff
from tests.e2e.browsing import Auditor, screenshot, translated

ADMIN = "modautal-admin"


def de(message: str) -> str:
    return translated(message, "de")


def test_adopt_preview_go_live_and_switch(site: str, page: Any, transactional_db: None) -> None:
    audit = Auditor()
    fork = Solution.objects.get(forked_from__isnull=False)

    sign_in_staff(page, site, ADMIN, next_path="/backoffice/loesungen/bibliothek/")
    page.locator("#library").wait_for()
    audit.check(page, "library")
    screenshot(page, "library")
    page.locator("#id_publisher").select_option(label="Ober-Ramstadt")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**publisher=06432016**")
    rows = page.locator("#library tbody tr")
    assert rows.count() == 1
    rows.first.locator("a").first.click()
    page.locator("#licence").wait_for()
    assert page.locator("#licence").inner_text() == "EUPL-1.2"
    audit.check(page, "library version")

    page.locator('a[href$="nachnutzen/?fuer=06432013"]').click()
    page.locator("#id_responsible_office").wait_for()
    audit.check(page, "adopt form")
    # A bad IBAN is refused with the error summary in focus order, nothing is created.
    page.locator("#id_responsible_office").fill("Ordnungsamt Modautal")
    page.locator("#id_iban").fill("DE02 1203 0000 0000 2020 52")
    page.locator("form.amtsweg-stack button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    audit.check(page, "adopt form with errors")
    assert not Offering.objects.filter(solution_version__solution=fork).exists()
    page.locator("#id_iban").fill("DE02 1203 0000 0000 2020 51")
    page.locator("#id_opening_hours").fill("Mo–Fr 8–12 Uhr")
    page.locator("#id_hint_fahrzeug").fill("Halten Sie den Fahrzeugschein bereit.")
    page.locator("form.amtsweg-stack button[type=submit]").click()
    page.wait_for_url("**/backoffice/angebote/*/")
    offering = Offering.objects.get(solution_version__solution=fork)
    assert offering.municipality.short_name == "Modautal" and not offering.is_active
    audit.check(page, "offering")

    page.locator(f'a[href$="/{offering.uuid}/vorschau/"]').click()
    page.locator("#preview").wait_for()
    assert "Halten Sie den Fahrzeugschein bereit." in page.inner_text("#preview")
    audit.check(page, "citizen preview")
    screenshot(page, "offering-preview")
    page.go_back()
    page.locator(f'form[action$="/{offering.uuid}/live/"] button').click()
    page.wait_for_url(f"**/{offering.uuid}/")
    offering.refresh_from_db()
    assert offering.is_active

    # The special-use permit has a required update with a deadline; Modautal switches now.
    page.goto(f"{site}/backoffice/angebote/")
    page.locator("#offerings").wait_for()
    audit.check(page, "offerings")
    special = Offering.objects.get(municipality__short_name="Modautal", slug="sondernutzung")
    page.goto(f"{site}/backoffice/angebote/{special.uuid}/")
    assert page.locator("#required-update").is_visible()
    page.locator(f'a[href$="/{special.uuid}/version/2/"]').click()
    page.locator("#diff").wait_for()
    audit.check(page, "switch")
    page.locator("form.amtsweg-actions button[type=submit]").click()
    page.wait_for_url(f"**/{special.uuid}/")
    special.refresh_from_db()
    assert special.solution_version.number == 2
    audit.assert_clean()
