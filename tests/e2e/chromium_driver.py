"""Debian's Chromium, headless, under Selenium: one way to start it for every browser test.

Skipped when Chromium or its driver is not installed, unless
MXUS_REQUIRE_BROWSER is set (.ci/run installs both and sets it).

Where Debian's ``chromium-headless-shell`` is installed (.ci/run installs it), the tests drive it
rather than the full browser in headless mode: the same Chromium (Blink, V8, the network stack and
DevTools) without the browser's windowing, which cost about a third of the CPU of each page load
(measured: a person's page 155-185 ms of CPU in all of Chromium's processes, 90-115 ms in the shell's).
ChromeDriver cannot start the shell (it waits for a page the shell opens only when given a URL), so
it is started here and ChromeDriver attaches to it over DevTools (``debuggerAddress``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# The binary itself: Debian's /usr/bin/chromium-headless-shell is a shell script around it.
HEADLESS_SHELL = next((path for path in ("/usr/lib/chromium/chromium-headless-shell",) if os.access(path, os.X_OK)), None)
SHELL_START_SECONDS = 30


def start_chromium(profile_dir, width: int = 1280, height: int = 900, accept_language: str | None = None):
    """A headless Chromium showing ``width`` x ``height`` CSS pixels, sending ``accept_language`` if given."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    if not ((HEADLESS_SHELL or CHROMIUM) and CHROMEDRIVER):
        message = "Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        if os.environ.get("MXUS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    arguments = (
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
    )
    options = Options()
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER)
    if HEADLESS_SHELL:
        driver = _attached_to_a_headless_shell(webdriver.Chrome, service, options, arguments, Path(profile_dir))
    else:
        options.binary_location = CHROMIUM
        for argument in ("--headless", *arguments):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=service, options=options)
    driver.chromium_user_agent = driver.execute_script("return navigator.userAgent")
    configure(driver, width, height, accept_language)
    return driver


def _attached_to_a_headless_shell(chrome, service, options, arguments: tuple[str, ...], profile_dir: Path):
    """The shell started in a process group of its own, and a driver attached to it whose ``quit``
    ends the shell too (a driver that attached leaves the browser running)."""
    shell = subprocess.Popen([HEADLESS_SHELL, *arguments, "--remote-debugging-port=0", "about:blank"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)

    def end_the_shell() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGTERM)
        try:
            shell.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()

    class ShellDriver(chrome):
        def quit(self) -> None:
            try:
                super().quit()
            finally:
                end_the_shell()

    active_port = profile_dir / "DevToolsActivePort"  # once it listens: the port it chose, then its path
    deadline = time.monotonic() + SHELL_START_SECONDS
    try:
        while not (active_port.is_file() and len(active_port.read_text().split()) >= 2):
            if shell.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{HEADLESS_SHELL} did not start (exit status {shell.poll()})")
            time.sleep(POLL_SECONDS)
        options.debugger_address = f"127.0.0.1:{active_port.read_text().split()[0]}"
        return ShellDriver(service=service, options=options)
    except BaseException:
        end_the_shell()
        raise


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
