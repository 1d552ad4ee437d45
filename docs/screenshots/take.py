"""Screenshots of the reader's pages for the README: desktop (1366 px) and phone (390 px), English and Spanish.

On demand, never in CI: `make screenshots` (it serves the site on a spare port with a temporary instance
folder and runs this against it), or `python docs/screenshots/take.py BASE_URL`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests" / "e2e"))
from chromium_driver import start_chromium  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from urllib.parse import quote  # noqa: E402
from server.web.examples import EXAMPLE_QUERIES  # noqa: E402

PAGES = {
    "home": "",
    "person": "page/person/jorge-g-castaneda",
    "claim": "page/claim/thesis-beyond-security",
    "source": "source?char=1917,2148#char=1917,2148",
    "event": "page/event/washington-meeting-2001",
    "argument": "argument",
    "timeline": "timeline?actor=george-w-bush",
    "query": "query?query=" + quote(EXAMPLE_QUERIES["Who held which post"]),
}
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def main(base: str) -> None:
    base = base.rstrip("/") + "/"
    for size, (width, height) in SIZES.items():
        with tempfile.TemporaryDirectory() as profile:
            driver = start_chromium(profile, width=width, height=height)
            try:
                for language in ("en", "es"):
                    for name, path in PAGES.items():
                        url = base + path.replace("?", f"?lang={language}&", 1) if "?" in path else f"{base}{path}?lang={language}"
                        driver.get(url)
                        WebDriverWait(driver, 20).until(lambda d: d.execute_script(  # the query editor's results
                            "return !document.querySelector('.yasqe') || !!document.querySelector('.yasr table td')"))
                        target = HERE / f"{name}-{size}-{language}.png"
                        driver.save_screenshot(str(target))
                        print(target.relative_to(HERE.parents[1]))
            finally:
                driver.quit()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/")
