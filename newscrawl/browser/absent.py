"""What runs instead of the browser components when scrapy-playwright is not installed.

A profile with browser pages (or NEWSCRAWL_BROWSER=always) on an install without the [browser]
extra would fail while Scrapy builds its middlewares, with an ImportError traceback.  Instead the
spider installs this extension (spiders/base.py): at start it says in one line what to install
(``pip install 'newscrawl[browser]'``) and closes the spider with the reason ``browser_missing``,
which fails the run's verdict (exit status 3), exactly as a missing Chromium does.  It imports
nothing of Playwright.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from .. import stats as keys
from .executable import browser_support_missing

logger = logging.getLogger(__name__)
PATH = "newscrawl.browser.absent.BrowserSupportMissing"


class BrowserSupportMissing:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BrowserSupportMissing":
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        self.crawler.stats.set_value(keys.key(keys.browser("missing_package")), 1)
        logger.error(browser_support_missing(spider.name) or f"The browser pages of {spider.name} cannot be "
                     "rendered: scrapy-playwright is not installed")
        raise CloseSpider("browser_missing")


def refuse_browser(settings) -> None:
    """Install the extension (and no browser component) on *settings*."""
    extensions = settings.getdict("EXTENSIONS")
    extensions[PATH] = 0
    settings.set("EXTENSIONS", extensions, priority="spider")
