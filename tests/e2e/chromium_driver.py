"""Debian's Chromium, headless, under Selenium: one way to start it for every browser test.

Skipped when Chromium or its driver is not installed, unless
MXUS_REQUIRE_BROWSER is set (.ci/run installs both and sets it).
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def start_chromium(profile_dir, width: int = 1280, height: int = 900, accept_language: str | None = None):
    """A headless Chromium at ``width`` x ``height`` CSS pixels, sending ``accept_language`` if given."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM and CHROMEDRIVER):
        message = "Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        if os.environ.get("MXUS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    if accept_language:
        options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    if width < 500:  # headless Chromium's windows are at least 500 px wide: set the viewport itself
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    return driver


@contextlib.contextmanager
def running_chromium(tmp_path_factory, name: str, **options):
    """A browser for a module's tests (``start_chromium``'s options), quit at the end."""
    driver = start_chromium(tmp_path_factory.mktemp(name), **options)
    try:
        yield driver
    finally:
        driver.quit()


def load(driver, url: str) -> None:
    """Open ``url`` and wait until the document has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
