"""In a real browser: the public transparency page and the coordinators' dashboards of the
demo pass axe (WCAG 2.1 AA), and their charts are SVG images with an accessible name."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model

from amtsweg.demo.services import DEMO_PASSWORD
from amtsweg.progress.models import ServiceProgress
from tests.e2e.browsing import Auditor
from tests.staff_login import confirmed_device, totp_code


def sign_in(page: Any, site: str, username: str, next_path: str) -> None:
    """Password, then the code the user's authenticator app would show now."""
    device = confirmed_device(get_user_model().objects.get_by_natural_key(username))
    page.goto(f"{site}{next_path}")
    page.locator('[name="username"]').fill(username)
    page.locator('[name="password"]').fill(DEMO_PASSWORD)
    page.locator('[name="password"]').press("Enter")
    page.locator('[name="code"]').wait_for()
    page.locator('[name="code"]').fill(totp_code(device))
    page.locator('[name="code"]').press("Enter")
    page.wait_for_url(f"**{next_path}")


def test_transparency_page_passes_axe(site: str, page: Any, transactional_db: None) -> None:
    audit = Auditor()
    page.goto(f"{site}/kommunen/ober-ramstadt/digitale-dienste/")
    audit.check(page, "transparency page")
    rows = page.locator("#online-heading ~ div table tbody tr")
    assert rows.count() >= 3  # the three demo offerings plus what Ober-Ramstadt recorded
    audit.assert_clean()


def test_dashboards_pass_axe_and_name_their_charts(
    site: str, page: Any, transactional_db: None
) -> None:
    audit = Auditor()
    sign_in(page, site, "darmstadt-admin", "/backoffice/fortschritt/darmstadt/")
    audit.check(page, "municipality dashboard")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    for index in range(charts.count()):
        assert charts.nth(index).evaluate(
            "svg => document.getElementById(svg.getAttribute('aria-labelledby').split(' ')[0])"
            ".textContent.length > 0"
        )
    page.goto(f"{site}/backoffice/fortschritt/darmstadt/verbund/")
    audit.check(page, "cluster dashboard")
    assert page.locator("svg[role=img]").count() == 4
    page.goto(f"{site}/backoffice/fortschritt/darmstadt/leistungen/?q=Abfall")
    audit.check(page, "catalogue")
    page.goto(f"{site}/backoffice/fortschritt/darmstadt/leistungen/10110/")
    audit.check(page, "edit page")
    page.locator("#id_state").select_option("planned")
    page.locator("#id_maturity").select_option("1")
    page.locator("#id_planned_for").fill("2027-06-30")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/fortschritt/darmstadt/leistungen/")
    audit.check(page, "catalogue after saving")
    entry = ServiceProgress.objects.get(
        municipality__slug="darmstadt", ozg_service__ozg_id="10110"
    )
    assert (entry.state, entry.planned_for) == ("planned", datetime.date(2027, 6, 30))
    audit.assert_clean()
