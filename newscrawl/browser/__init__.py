"""Pages that need a browser: scrapy-playwright per site and per request, replayable and recordable.

- config.py      when a crawl uses the browser (NEWSCRAWL_BROWSER, a profile's [browser]) and the
                 settings that switch scrapy-playwright on for it - only for spiders that need it
- executable.py  which Chromium: NEWSCRAWL_BROWSER_EXECUTABLE, the system's, Playwright's own
- middleware.py  newscrawl_browser meta -> scrapy-playwright meta, context recycling, the start
                 check; replay/record middlewares that leave browser pages to the browser
- traffic.py     the page routing: every browser request answered from / written to the WARC
- rendering.py   what is not loaded (images, fonts, media, ad hosts) and the page actions
- handler.py     scrapy-playwright's handler, built with the engine

See docs/browser.md.
"""

from .config import META, browser_meta, configure_browser

__all__ = ["META", "browser_meta", "configure_browser"]
