"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Two fixtures for every browser test:

- `browser_page`: a Playwright Page whose relative URLs go to the live server
  (`browser_page.goto("/admin/")`);
- `sign_in(page, username, password)`: signs in through the admin's login form and
  fails the test when the site refuses.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without
Chromium or Playwright the tests are skipped, except when the environment says CI,
where a missing browser must fail the run rather than hide it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def _missing_browser():
    """Why the browser cannot run, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is missing (pip install playwright; never `playwright install`)"
    return None


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in every test; the production hasher takes most of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser_page(live_server, django_db_serialized_rollback, monkeypatch):
    # The live server needs committed data, so the database is emptied after each test.
    # Serialized rollback puts back what the migrations wrote (the default space, content
    # types) for the tests that follow, instead of half of it.
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot run in CI: {missing}.")
        pytest.skip(missing)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (set-up and checks) are still synchronous, so Django may run them here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGUMENTS
        )
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # While the loop runs, Django keeps this thread's connections apart from the
            # ones pytest-django closes: close them here, or the test database stays in use.
            connections.close_all()


@pytest.fixture
def sign_in():
    def sign_in(page, username, password):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-form [type=submit]")
        page.wait_for_load_state()
        errors = page.locator(".errornote")
        assert errors.count() == 0, f"Sign-in of {username} refused: {errors.first.inner_text()}"

    return sign_in
