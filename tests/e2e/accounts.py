"""Logging in within the browser, the way people do: citizens at the bundled test identity
provider (BundID's stand-in, which sends a signed SAML response back through the browser),
staff with their password and the TOTP code their authenticator app would show."""

from typing import Any

from django.contrib.auth import get_user_model

from amtsweg.demo.services import DEMO_PASSWORD
from tests.e2e.browsing import Auditor, choose, screenshot, translated
from tests.staff_login import confirmed_device, totp_code


def language_of(page: Any) -> str:
    return page.evaluate("document.documentElement.lang")


def log_in_at_test_idp(
    page: Any,
    audit: Auditor | None = None,
    person: str = "erika",
    level: str = "substantial",
    screenshot_as: str | None = None,
) -> None:
    """From the BundID log-in page: continue to the test identity provider, choose the test
    person and the trust level there, and come back (the POST bindings forward by script) to
    the page the log-in started from. ``audit`` checks both pages with axe; the identity
    provider's page is photographed as ``screenshot_as``."""
    language = language_of(page)
    if audit:
        audit.check(page, "BundID log-in")
    page.get_by_role("button", name=translated("Continue to BundID", language)).click()
    page.wait_for_url("**/testidp/sso/")
    page.get_by_role("heading", name=translated("Log in as a test person", language)).wait_for()
    if audit:
        audit.check(page, "test identity provider")
    if screenshot_as:
        screenshot(page, screenshot_as)
    choose(page, "person", person)
    choose(page, "level", level)
    page.get_by_role("button", name=translated("Log in", language), exact=True).click()
    page.wait_for_url(lambda url: "/testidp/" not in url and "/saml/" not in url)
    page.wait_for_load_state()


def sign_in_staff(page: Any, site: str, username: str, next_path: str = "/backoffice/") -> None:
    """Sign a member of staff in: user name and password, then the current code of their
    authenticator app, computed from the TOTP device's key in the database as the app does
    (the device is set up first if the account has none, as after its enrolment)."""
    user = get_user_model().objects.get_by_natural_key(username)
    device = confirmed_device(user)
    page.goto(f"{site}{next_path}")
    language = language_of(page)
    page.locator('[name="username"]').fill(username)
    page.locator('[name="password"]').fill(DEMO_PASSWORD)
    page.get_by_role("button", name=translated("Sign in", language), exact=True).click()
    page.get_by_role("heading", name=translated("Enter your code", language)).wait_for()
    page.locator('[name="code"]').fill(totp_code(device))
    page.get_by_role("button", name=translated("Confirm", language), exact=True).click()
    page.wait_for_url(lambda url: "/anmelden/" not in url)
