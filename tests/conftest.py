"""Shared pytest hooks.

Browser tests (``@pytest.mark.browser``) need the [browser] extra (scrapy-playwright) and a Chromium.
On a developer's machine without them they are skipped, with the reason; with
NEWSCRAWL_REQUIRE_BROWSER=1 (CI sets it) they fail instead, so that a CI run can never pass by
skipping them.  NEWSCRAWL_BROWSER_EXECUTABLE names the Chromium, as for a crawl.
"""

from __future__ import annotations

import os
from functools import lru_cache

import pytest

REQUIRE_BROWSER = "NEWSCRAWL_REQUIRE_BROWSER"


@lru_cache(maxsize=1)
def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        return "scrapy-playwright is not installed: pip install 'newscrawl[browser]' (make test installs it)"
    from newscrawl.browser.executable import find_browser

    if find_browser(os.environ.get("NEWSCRAWL_BROWSER_EXECUTABLE", "")) is None:
        return ("no Chromium found: apt-get install chromium (or playwright install chromium, or set "
                "NEWSCRAWL_BROWSER_EXECUTABLE)")
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None:
        return
    why = browser_unavailable()
    if why is None:
        return
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{REQUIRE_BROWSER}=1 but {why}", pytrace=False)
    pytest.skip(why)
