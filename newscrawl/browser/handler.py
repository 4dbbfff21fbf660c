"""scrapy-playwright's download handler, one per crawl instead of one per scheme.

DOWNLOAD_HANDLERS names it for ``http`` and ``https``, and Scrapy builds a handler per scheme:
two handlers would start two Playwright drivers (a Node process each) for one browser.  The
crawl's first handler is kept on the crawler and given to the second scheme as well.  Requests
without ``playwright`` meta still go through Scrapy's HTTP/1.1 handler (the parent class); the
Chromium itself is launched only for the first browser page.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

_ON_CRAWLER = "_newscrawl_browser_handler"


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    _closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BrowserDownloadHandler":
        handler = getattr(crawler, _ON_CRAWLER, None)
        if handler is None:
            handler = cls(crawler)
            setattr(crawler, _ON_CRAWLER, handler)
        return handler

    async def close(self) -> None:
        # Scrapy closes each scheme's handler: the shared one only once
        if self._closed:
            return
        self._closed = True
        await super().close()
