"""Which Chromium renders the browser pages.

Order: NEWSCRAWL_BROWSER_EXECUTABLE when set (a path, a name on PATH, or ``playwright`` for
Playwright's own download); else the system Chromium (NEWSCRAWL_BROWSER_SEARCH: Debian's
``/usr/bin/chromium`` first); else a browser ``playwright install`` put in its cache.

A Chromium from the system is preferred because it is updated by the OS's security
updates and needs no download (``playwright install`` cannot run on a machine without
internet).  Playwright speaks CDP to any recent Chromium, so the revision need not match.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

DEFAULT_SEARCH = ("/usr/bin/chromium", "chromium", "chromium-browser")
PLAYWRIGHT_OWN = "playwright"

# what `playwright install chromium` leaves on Linux: the full browser and the headless shell
_PLAYWRIGHT_LAYOUTS = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-linux*/headless_shell")
_REVISION_RE = re.compile(r"-(\d+)$")


@dataclass(frozen=True)
class BrowserChoice:
    path: str
    source: str  # "setting", "system" or "playwright"


def playwright_cache() -> Path:
    """Where Playwright keeps the browsers it downloads (PLAYWRIGHT_BROWSERS_PATH, as Playwright reads it)."""
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH", "")
    if configured == "0":  # "inside the package" (a hermetic install)
        import playwright

        return Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers"
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"


def _revision(path: Path) -> int:
    for part in path.parts:
        match = _REVISION_RE.search(part)
        if match and part.startswith("chromium"):
            return int(match.group(1))
    return 0


def playwright_browsers() -> list[Path]:
    """Playwright's own Chromium builds, newest revision first."""
    cache = playwright_cache()
    if not cache.is_dir():
        return []
    found = [p for pattern in _PLAYWRIGHT_LAYOUTS for p in cache.glob(pattern) if _is_executable(p)]
    return sorted(found, key=_revision, reverse=True)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _resolve(name: str) -> str | None:
    if os.sep in name:
        return name if _is_executable(Path(name)) else None
    return shutil.which(name)


def find_browser(explicit: str = "", search: Iterable[str] = DEFAULT_SEARCH) -> BrowserChoice | None:
    """The Chromium to launch, or None when there is none (see the module docstring for the order)."""
    if explicit:
        if explicit == PLAYWRIGHT_OWN:
            own = playwright_browsers()
            return BrowserChoice(str(own[0]), "playwright") if own else None
        path = _resolve(explicit)
        return BrowserChoice(path, "setting") if path else None
    for name in search:
        path = _resolve(name)
        if path:
            return BrowserChoice(path, "system")
    own = playwright_browsers()
    return BrowserChoice(str(own[0]), "playwright") if own else None


def missing_message(site: str, explicit: str = "", search: Iterable[str] = DEFAULT_SEARCH) -> str:
    """The one line a run without a browser ends with: what was looked for, what to install."""
    if explicit and explicit != PLAYWRIGHT_OWN:
        looked = f"NEWSCRAWL_BROWSER_EXECUTABLE={explicit} is not an executable file"
    elif explicit:
        looked = f"NEWSCRAWL_BROWSER_EXECUTABLE=playwright but no browser in {playwright_cache()}"
    else:
        looked = f"none of {', '.join(search)} and no Playwright browser in {playwright_cache()}"
    return (f"No Chromium for the browser pages of {site} ({looked}): install Debian's chromium "
            f"(apt-get install chromium), or Playwright's (playwright install chromium), or set "
            f"NEWSCRAWL_BROWSER_EXECUTABLE=/path/to/chromium; or crawl without a browser with "
            f"-s NEWSCRAWL_BROWSER=off")


BROWSER_EXTRA = "pip install 'newscrawl[browser]'"


def browser_support_missing(site: str) -> str | None:
    """The one line a run ends with when it has browser pages but scrapy-playwright (the [browser] extra)
    is not installed; None when it is.  No shipped profile needs a browser, so it is optional."""
    try:
        import playwright  # noqa: F401
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        return (f"The browser pages of {site} need scrapy-playwright, which is not installed ({exc}): "
                f"{BROWSER_EXTRA}, then a Chromium (apt-get install chromium); or crawl without a browser "
                f"with -s NEWSCRAWL_BROWSER=off")
    return None
