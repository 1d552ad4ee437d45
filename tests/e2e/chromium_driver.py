"""Debian's Chromium, headless, under Selenium: one way to start it for every browser test.

Skipped when Chromium or its driver is not installed, unless
MXUS_REQUIRE_BROWSER is set (.ci/run installs both and sets it).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def start_chromium(profile_dir, width: int = 1280, height: int = 900, accept_language: str | None = None):
    """A headless Chromium showing ``width`` x ``height`` CSS pixels, sending ``accept_language`` if given."""
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
        "--window-size=1366,900",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.chromium_user_agent = driver.execute_script("return navigator.userAgent")
    configure(driver, width, height, accept_language)
    return driver


def configure(driver, width: int, height: int, accept_language: str | None) -> None:
    """Give a started browser the screen and languages a test asks for, and nothing left by the last one.

    The viewport is emulated (headless windows are at least 500 px wide), the languages sent as
    Accept-Language and seen as ``navigator.languages`` (Chromium's own default when none is given),
    cookies and the console's log emptied, scripts on, and the time limits back to their defaults.
    """
    driver.get("about:blank")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride",
                           {"userAgent": driver.chromium_user_agent, "acceptLanguage": accept_language or "en-US,en"})
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    driver.get_log("browser")


# Browsers started in this process and not in use: starting Chromium costs about as much CPU as
# what a module's tests do with it, so each is started once per test process and lent out again.
_IDLE: list = []


@atexit.register
def _quit_idle() -> None:
    while _IDLE:
        _IDLE.pop().quit()


@contextlib.contextmanager
def running_chromium(tmp_path_factory, name: str, width: int = 1280, height: int = 900,
                     accept_language: str | None = None):
    """A browser for a module's tests (``start_chromium``'s options): one this process started before
    and nobody is using, set up afresh (``configure``), or a new one; given back at the end."""
    if _IDLE:
        driver = _IDLE.pop()
        configure(driver, width, height, accept_language)
    else:
        driver = start_chromium(tmp_path_factory.mktemp(name), width, height, accept_language)
    try:
        yield driver
    finally:
        try:
            driver.get("about:blank")
            _IDLE.append(driver)
        except Exception:  # a browser that broke is not lent again
            driver.quit()


# How often a wait looks again. Selenium's default, half a second, left a browser test idle for most of
# its time: a click or a key starts a navigation that is seldom over at the first look.
POLL_SECONDS = 0.05


def wait_until(driver, seconds: float, condition, ignored_exceptions=None):
    """``condition(driver)``'s first true value, looked for every ``POLL_SECONDS`` for up to ``seconds``
    (Selenium's TimeoutException after that)."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=POLL_SECONDS, ignored_exceptions=ignored_exceptions).until(condition)


def load(driver, url: str) -> None:
    """Open ``url`` and wait until the document has loaded."""
    driver.get(url)
    wait_until(driver, 15, lambda d: d.execute_script("return document.readyState") == "complete")
