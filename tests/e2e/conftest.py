"""Browser tests: Playwright (sync API) driving Debian's Chromium against Django's live server.

Playwright's own browser downloads are not used: the tests launch the Chromium that `make
test` installs with apt (``/usr/bin/chromium``, or ``$AMTSWEG_CHROMIUM``). Without it they
are skipped with the reason. axe-core comes from npm (frontend/package.json, a dev dependency)
and is read from frontend/node_modules only by the tests; it is never served to citizens.

Screenshots go to ``artifacts/screenshots/`` (gitignored); docs/screenshots/ holds a
committed selection.
"""

import faulthandler
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.e2e.browsing import AXE_JS, DESKTOP, SCREENSHOTS
from tests.saml_flow import saml_settings, saml_var_dir  # noqa: F401 (fixtures)

# The longest browser test takes about 15 s; four minutes means it hangs.
HANG_LIMIT_SECONDS = 240

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("AMTSWEG_CHROMIUM") or "/usr/bin/chromium"
    if Path(candidate).is_file():
        return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is an ``e2e`` test, skipped (with the reason) when its
    browser or axe-core is missing."""
    here = Path(__file__).parent
    reason = None
    try:
        import playwright  # noqa: F401
    except ImportError:
        reason = "Playwright is not installed: run `make install` (pip install -e '.[dev]')"
    if reason is None and chromium_path() is None:
        reason = (
            "no Chromium at /usr/bin/chromium (or $AMTSWEG_CHROMIUM): `make test-e2e` installs "
            "it (apt-get install chromium)"
        )
    if reason is None and not AXE_JS.is_file():
        reason = f"axe-core is missing ({AXE_JS}): run `make frontend` (npm ci)"
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package")
def browser(django_db_setup: None) -> Iterator[Any]:
    """One Chromium for all browser tests (each test gets a fresh context).

    Playwright's sync API keeps an event loop in this thread while it runs, which makes
    Django's ORM believe it is called from async code. The tests (not the live server) use the
    ORM only sequentially, for set-up, checks and the database flush after each test, so the
    check is switched off exactly while the browser runs: it starts after the test database
    exists and stops, with the package's last test, before any other test runs.
    """
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pictures
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def site(live_server: Any, settings: Any, saml_settings: Any) -> str:  # noqa: F811
    """The demo installation behind the live server (with the test identity provider, whose
    SAML messages name the live server's address); returns its base URL."""
    settings.BASE_URL = live_server.url
    settings.AMTSWEG_SAML_ENTITY_ID = f"{live_server.url}/saml/metadata/"
    call_command("demo", stdout=io.StringIO())
    return live_server.url


def new_page(browser: Any, viewport: dict[str, int] | None = None, language: str = "de") -> Any:
    context = browser.new_context(
        viewport=viewport or DESKTOP, locale="de-DE" if language == "de" else "en-GB"
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    """Another person's browser beside ``page`` (its own cookies and session)."""
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture(autouse=True)
def _hang_guard() -> Iterator[None]:
    """End the run with every thread's stack when a browser test hangs (a lost page event, a
    stuck live-server thread), instead of holding CI until its time limit."""
    faulthandler.dump_traceback_later(HANG_LIMIT_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
